// Per-node token bucket: an agent reports about once a second; a node flooding the server is
// answered 429 with Retry-After instead of costing every other node.
export class NodeRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** `burst`: tokens a full bucket holds (twice the rate unless given) */
  constructor(
    private readonly perSecond: number,
    private readonly burst = perSecond * 2,
  ) {}

  /** Takes a token; returns 0 when allowed, else the seconds to wait. */
  take(node: string, now: number): number {
    let b = this.buckets.get(node);
    if (!b) {
      b = { tokens: this.burst, at: now };
      this.buckets.set(node, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }

  /** Drops buckets idle long enough to be full again (bounded memory). */
  prune(now: number): void {
    for (const [node, b] of this.buckets) if (now - b.at > (this.burst / this.perSecond) * 1000) this.buckets.delete(node);
  }
}
