// How many node names one requester (a client address today, an authenticated identity later)
// reports for. A client rotating names would otherwise fill the global node and pull caps and
// lock real nodes out; with this, only its own further names are refused.

/** A name not heard from a requester for this long no longer counts against it. */
export const NODE_NAME_IDLE_MS = 10 * 60_000;

export class NodesPerAddress {
  /** requester → node name → last report time */
  private readonly seen = new Map<string, Map<string, number>>();

  constructor(
    private readonly limit: number,
    private readonly idleMs = NODE_NAME_IDLE_MS,
  ) {}

  /** Records that `who` reports for `node`; false (and nothing recorded) when `who` is at its limit. */
  admit(who: string, node: string, now: number): boolean {
    let names = this.seen.get(who);
    if (!names) {
      names = new Map();
      this.seen.set(who, names);
    }
    if (!names.has(node) && names.size >= this.limit) {
      for (const [name, at] of names) if (now - at > this.idleMs) names.delete(name);
      if (names.size >= this.limit) return false;
    }
    names.set(node, now);
    return true;
  }

  /** Drops idle names and requesters (bounded memory); called from a timer. */
  prune(now: number): void {
    for (const [who, names] of this.seen) {
      for (const [name, at] of names) if (now - at > this.idleMs) names.delete(name);
      if (names.size === 0) this.seen.delete(who);
    }
  }
}
