// Kubelet Events that cannot be believed yet wait a few seconds, because their pod (or its
// status) comes on another watch and may lag behind. What waits is bounded per namespace: the
// namespace is what an Event's author may write to, so a flood of forged Events from one namespace
// fills only its own share and a genuine Event from another namespace still finds room.

export interface HoldLimits {
  /** most entries one namespace may hold */
  perNamespace: number;
  /** most entries in all (memory bound) */
  total: number;
}

export interface Held<T> {
  /** the Event's own namespace, charged for the entry */
  namespace: string;
  /** what a re-check looks entries up by (a pod, a node) */
  key: string;
  item: T;
  /** ms since the epoch: after this the entry is given up */
  until: number;
}

export class NamespaceHolds<T> {
  private readonly byKey = new Map<string, Array<Held<T>>>();
  private readonly perNamespace = new Map<string, number>();
  private count = 0;

  constructor(private readonly limits: HoldLimits) {}

  /** Holds the entry; false (nothing held) when its namespace's share, or the whole, is full. */
  hold(entry: Held<T>): boolean {
    const inNamespace = this.perNamespace.get(entry.namespace) ?? 0;
    if (inNamespace >= this.limits.perNamespace || this.count >= this.limits.total) return false;
    const list = this.byKey.get(entry.key);
    if (list) list.push(entry);
    else this.byKey.set(entry.key, [entry]);
    this.perNamespace.set(entry.namespace, inNamespace + 1);
    this.count += 1;
    return true;
  }

  /** Removes and returns the entries held under `key` (every entry when undefined), oldest first. */
  take(key?: string): Array<Held<T>> {
    if (this.count === 0) return [];
    const keys = key === undefined ? [...this.byKey.keys()] : this.byKey.has(key) ? [key] : [];
    const out: Array<Held<T>> = [];
    for (const k of keys) {
      for (const entry of this.byKey.get(k) ?? []) {
        out.push(entry);
        const left = (this.perNamespace.get(entry.namespace) ?? 1) - 1;
        if (left > 0) this.perNamespace.set(entry.namespace, left);
        else this.perNamespace.delete(entry.namespace);
      }
      this.byKey.delete(k);
    }
    this.count -= out.length;
    return out;
  }

  get size(): number {
    return this.count;
  }

  /** entries held for one namespace (tests, bounds checks) */
  heldIn(namespace: string): number {
    return this.perNamespace.get(namespace) ?? 0;
  }
}

/** 250 per namespace: a genuine mass failure in one namespace still fits; 5,000 in all (a few MB). */
export const DEFAULT_HOLD_LIMITS: HoldLimits = { perNamespace: 250, total: 5000 };
