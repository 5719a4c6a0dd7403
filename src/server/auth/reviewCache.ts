// TokenReview answers kept by token hash, so 5,000 agents reporting every second cost the API
// server one review per token per minute, not 5,000 a second. An answer is kept at most `ttlMs`
// and never past the token's own expiry; refusals are kept shorter, so a token that becomes valid
// (a clock skew, a ServiceAccount created late) is not refused for long. Bounded in entries.
import { createHash } from 'node:crypto';

export interface ReviewCacheOptions {
  ttlMs: number;
  negativeTtlMs: number;
  maxEntries: number;
}

export const DEFAULT_REVIEW_CACHE: ReviewCacheOptions = { ttlMs: 60_000, negativeTtlMs: 10_000, maxEntries: 20_000 };

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class ReviewCache<T> {
  // Map order = insertion order: the oldest entry is evicted first
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(private readonly options: ReviewCacheOptions = DEFAULT_REVIEW_CACHE) {}

  get(key: string, now: number): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (now >= e.until) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** Keeps `value` until min(now + ttl, expiresAt); `positive` false uses the shorter ttl. */
  set(key: string, value: T, now: number, positive: boolean, expiresAt?: number): void {
    const ttl = positive ? this.options.ttlMs : this.options.negativeTtlMs;
    const until = Math.min(now + ttl, expiresAt ?? Number.POSITIVE_INFINITY);
    this.entries.delete(key);
    if (until <= now) return;
    this.entries.set(key, { value, until });
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}
