// Reads (/api/v1/pulls, /api/v1/pulls/{id}, /api/v1/history) charged to the reader's address: a
// token bucket per address, so one client polling in a loop gets 429 with Retry-After instead of
// taking the server's time from ingest, /healthz and everyone else. Event streams have their own
// caps (PULLTRACE_MAX_SSE_PER_ADDRESS) and are not counted here.
import { NodeRateLimiter } from '../ingest/nodeRateLimiter.js';
import { type ApiError, apiError } from './apiError.js';

export interface ReadLimits {
  /** reads a second from one address (PULLTRACE_READ_RATE) */
  perSecond: number;
  /** reads one address may make at once after a quiet spell (PULLTRACE_READ_BURST) */
  burst: number;
}

/** The routes that count as reads, as registered. */
export const READ_ROUTES: ReadonlySet<string> = new Set(['/api/v1/pulls', '/api/v1/pulls/:id', '/api/v1/history']);

export class ReadAdmission {
  private readonly buckets: NodeRateLimiter;

  constructor(private readonly limits: ReadLimits) {
    this.buckets = new NodeRateLimiter(limits.perSecond, limits.burst);
  }

  /** Takes one read for `who`; undefined when allowed, else the 429 to answer. */
  take(who: string, now: number): ApiError | undefined {
    const wait = this.buckets.take(who, now);
    if (wait === 0) return undefined;
    return apiError('too_many_reads', wait, this.limits.perSecond, this.limits.burst).retryAfter(wait);
  }

  /** Forgets addresses idle long enough to have a full bucket again (bounded memory). */
  prune(now: number): void {
    this.buckets.prune(now);
  }
}
