// TokenReview answers kept by token hash, so 5,000 agents reporting every second cost the API
// server one review per token per minute, not 5,000 a second.
//
// Positive and negative answers live apart: refusals (a flood of junk tokens makes one per token)
// go to their own small cache with a short life, so they can never push an agent's positive answer
// out. A positive answer is *fresh* for `ttlMs` (then reviewed again), and is kept *stale* until the
// token itself expires: while the API server cannot answer, a stale answer is the last word the
// API server said about that token (stale-while-revalidate, see agentAuth.ts). Both bounded.
import { createHash } from 'node:crypto';

export interface ReviewCacheOptions {
  /** how long a positive answer is used before the token is reviewed again */
  ttlMs: number;
  /** how long a refusal is kept (a token that becomes valid is not refused for long) */
  negativeTtlMs: number;
  /** positive answers kept (about two per agent: its token and the one the kubelet rotated in) */
  maxEntries: number;
  /** refusals kept */
  maxNegativeEntries: number;
}

export const DEFAULT_REVIEW_CACHE: ReviewCacheOptions = {
  ttlMs: 60_000,
  negativeTtlMs: 10_000,
  maxEntries: 20_000,
  maxNegativeEntries: 1_000,
};

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A cached answer; `fresh` false = a positive answer past its ttl, still within the token's expiry. */
export interface CachedReview<T> {
  value: T;
  positive: boolean;
  fresh: boolean;
}

interface Entry<T> {
  value: T;
  freshUntil: number;
  keptUntil: number;
}

/** Insertion-ordered map with a size bound: the oldest entry goes first. */
class BoundedEntries<T> {
  private readonly map = new Map<string, Entry<T>>();

  constructor(private readonly max: number) {}

  get(key: string, now: number): Entry<T> | undefined {
    const e = this.map.get(key);
    if (e && now >= e.keptUntil) {
      this.map.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, entry: Entry<T>): void {
    this.map.delete(key);
    this.map.set(key, entry);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}

export class ReviewCache<T> {
  private readonly positive: BoundedEntries<T>;
  private readonly negative: BoundedEntries<T>;

  constructor(private readonly options: ReviewCacheOptions = DEFAULT_REVIEW_CACHE) {
    this.positive = new BoundedEntries(options.maxEntries);
    this.negative = new BoundedEntries(options.maxNegativeEntries);
  }

  get(key: string, now: number): CachedReview<T> | undefined {
    const no = this.negative.get(key, now);
    if (no) return { value: no.value, positive: false, fresh: true };
    const yes = this.positive.get(key, now);
    if (yes) return { value: yes.value, positive: true, fresh: now < yes.freshUntil };
    return undefined;
  }

  /**
   * A positive answer is fresh until min(now + ttl, expiresAt) and kept until `expiresAt` (without
   * one, not past its freshness); a refusal is kept min(now + negativeTtl, expiresAt).
   */
  set(key: string, value: T, now: number, positive: boolean, expiresAt?: number): void {
    const expiry = expiresAt ?? Number.POSITIVE_INFINITY;
    this.positive.delete(key);
    this.negative.delete(key);
    if (positive) {
      const freshUntil = Math.min(now + this.options.ttlMs, expiry);
      const keptUntil = expiresAt ?? freshUntil;
      if (keptUntil > now) this.positive.set(key, { value, freshUntil, keptUntil });
    } else {
      const keptUntil = Math.min(now + this.options.negativeTtlMs, expiry);
      if (keptUntil > now) this.negative.set(key, { value, freshUntil: keptUntil, keptUntil });
    }
  }

  get size(): number {
    return this.positive.size + this.negative.size;
  }

  get negativeSize(): number {
    return this.negative.size;
  }
}
