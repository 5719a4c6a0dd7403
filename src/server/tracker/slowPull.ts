// Slow pulls: a link that moves a few KB/s keeps a pull `pulling` for an hour without ever
// stalling (containerd#11650). A pulling pull is slow when its ETA exceeds PULLTRACE_SLOW_ETA, or
// when its rate has stayed below PULLTRACE_SLOW_RATE for SLOW_RATE_FOR_MS. Pure: the tracker keeps
// `lowRateSince` per pull and calls these once a second.
import type { PullState } from '../../model/index.js';

export interface SlowSettings {
  slowEtaMs: number;
  slowRateBytesPerSec: number;
}

/** How long the rate must stay under the threshold before a pull counts as slow. */
export const SLOW_RATE_FOR_MS = 60_000;

export interface SlowInput {
  status: PullState;
  bytesPerSec: number;
  etaSeconds: number | undefined;
  /** since when the rate has been below the threshold (undefined: it is not) */
  lowRateSince: number | undefined;
}

/**
 * The next `lowRateSince`: set when a pulling pull's rate first drops below the threshold, kept
 * while it stays there (a stall in between does not reset it: a trickle moves in 1 MiB steps and
 * can look stalled between two), cleared when the rate recovers or the pull is no longer downloading.
 */
export function nextLowRateSince(s: SlowInput, now: number, settings: SlowSettings): number | undefined {
  if (s.status === 'stalled') return s.lowRateSince;
  if (s.status !== 'pulling') return undefined;
  if (s.bytesPerSec >= settings.slowRateBytesPerSec) return undefined;
  return s.lowRateSince ?? now;
}

/** Whether a pull is slow now (only a pull that is downloading, not one stalled or finished). */
export function isSlow(s: SlowInput, now: number, settings: SlowSettings): boolean {
  if (s.status !== 'pulling') return false;
  if (s.etaSeconds !== undefined && s.etaSeconds * 1000 > settings.slowEtaMs) return true;
  return s.lowRateSince !== undefined && now - s.lowRateSince >= SLOW_RATE_FOR_MS;
}
