import type { PullStatus } from './types.js';

export interface PullSummary {
  active: number;
  stalled: number;
  failed: number;
  completed: number;
  /** sum of the current rates of pulls still pulling */
  bytesPerSec: number;
}

/** Header figures; "active" counts pulls not yet finished, stalled and unpacking ones included. */
export function summarize(pulls: Iterable<PullStatus>): PullSummary {
  const summary: PullSummary = { active: 0, stalled: 0, failed: 0, completed: 0, bytesPerSec: 0 };
  for (const pull of pulls) {
    if (pull.status === 'pulling' || pull.status === 'stalled') {
      summary.active++;
      summary.bytesPerSec += pull.bytesPerSec;
    } else if (pull.status === 'unpacking') {
      summary.active++; // not finished: its pods still wait
    }
    if (pull.status === 'stalled') summary.stalled++;
    else if (pull.status === 'failed') summary.failed++;
    else if (pull.status === 'completed') summary.completed++;
  }
  return summary;
}
