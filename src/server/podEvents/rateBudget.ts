// The API server's share: a token bucket (PULLTRACE_POD_EVENTS_QPS with a burst) that every write
// takes from, and a back-off after 429 (API Priority and Fairness rejects with 429 and Retry-After)
// during which nothing is written.

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** ms until a token is there (0: now). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perSecond);
  }
}

export const BACKOFF_FIRST_MS = 1000;
export const BACKOFF_MAX_MS = 60_000;

/** Doubles from 1 s to 60 s per rejection in a row; the server's Retry-After wins when longer. */
export class Backoff {
  private failures = 0;
  private until = 0;

  /** Notes a rejection at `now`; returns when writing may resume. */
  reject(now: number, retryAfterSeconds: number | undefined): number {
    const own = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.failures);
    this.failures += 1;
    const asked = retryAfterSeconds !== undefined ? Math.min(BACKOFF_MAX_MS, retryAfterSeconds * 1000) : 0;
    this.until = now + Math.max(own, asked);
    return this.until;
  }

  succeeded(): void {
    this.failures = 0;
  }

  /** ms still to wait (0: write now). */
  waitMs(now: number): number {
    return Math.max(0, this.until - now);
  }
}

/** Retry-After as seconds (the delta form kube-apiserver sends); undefined when absent or not one. */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text);
}
