// When reports fail, when to try again: exponential backoff with full jitter (a uniformly random
// wait up to the exponential bound). After a server restart every agent fails at the same moment;
// jitter spreads their returns over the window instead of synchronising thousands of nodes.

export interface BackoffOptions {
  /** bound of the first retry's wait */
  baseMs: number;
  /** the bound stops growing here */
  capMs: number;
}

// 15 s: 5,000 agents return at about 330 a second, and an agent is back within 15 s of the server.
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 15_000 };

/**
 * Wait before the next attempt after `failures` consecutive failures (≥ 1). `random` is in [0, 1).
 * A server's Retry-After (seconds) is a floor, with jitter of up to one base on top.
 */
export function retryDelayMs(failures: number, random: number, opts: BackoffOptions = DEFAULT_BACKOFF, retryAfterSec?: number): number {
  const bound = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  if (retryAfterSec !== undefined && Number.isFinite(retryAfterSec) && retryAfterSec > 0) {
    return Math.min(retryAfterSec * 1000, 10 * opts.capMs) + Math.floor(random * opts.baseMs);
  }
  return Math.floor(random * bound);
}

/** Retry-After as seconds (the HTTP-date form is not used by Pulltrace's server). */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (!text || !/^\d{1,6}$/.test(text.trim())) return undefined;
  return Number(text.trim());
}
