// TokenReviews charged to the address that asks for them: each review of a token the server does
// not know costs one from that address's bucket (`perSecond`, burst of twice that). Junk tokens
// from one address then cost the API server a few reviews a second, not one per request.
import { NodeRateLimiter } from './nodeRateLimiter.js';

const PRUNE_EVERY_MS = 1_000;

export class ReviewBudget {
  private readonly buckets: NodeRateLimiter;
  private prunedAt = 0;

  constructor(perSecond: number) {
    this.buckets = new NodeRateLimiter(perSecond);
  }

  /** 0 when `who` may have one more review now, else the seconds to wait. */
  charge(who: string, now: number): number {
    // Full buckets are dropped as they go idle, so addresses seen once cost no memory for long.
    if (now - this.prunedAt >= PRUNE_EVERY_MS) {
      this.buckets.prune(now);
      this.prunedAt = now;
    }
    return this.buckets.take(who, now);
  }
}
