// Which moments of a pull are worth a write to the pod's Event: start (once the pull is expected
// to be long), every 25 %, stalled or trickling and the recovery, and the end. At most
// MAX_WRITES_PER_PULL per pod pull, the last one kept for the end, so an operator can count the
// cost: a pull never turns into an event storm, however many reports it takes.
import type { PullStatus } from '../../model/index.js';

export const MAX_WRITES_PER_PULL = 8;

export type MilestoneKind = 'start' | 'progress' | 'stalled' | 'trickling' | 'recovered' | 'done' | 'failed';
type Trouble = 'stalled' | 'trickling' | undefined;

/** What was decided so far for one pod's wait on one pull. */
export interface MilestoneState {
  writes: number;
  /** 0–3: the last quarter (25 %, 50 %, 75 %) written */
  quarter: number;
  trouble: Trouble;
  final: boolean;
}

/** The milestone `pull` reaches at `at` (ms), or undefined when it is not worth a write. */
export function nextMilestone(
  pull: PullStatus,
  at: number,
  prev: MilestoneState | undefined,
  minDurationMs: number,
): MilestoneKind | undefined {
  if (prev?.final) return undefined;
  const writes = prev?.writes ?? 0;
  if (pull.status === 'completed' || pull.status === 'failed') {
    // A short pull that never got an Event gets none at its end either.
    if (writes === 0 && expectedMs(pull, at) < minDurationMs) return undefined;
    return pull.status === 'completed' ? 'done' : 'failed';
  }
  if (writes === 0) return expectedMs(pull, at) >= minDurationMs ? 'start' : undefined;
  // the last write is kept for the end
  if (writes >= MAX_WRITES_PER_PULL - 1 || !prev) return undefined;
  const trouble = troubleOf(pull);
  if (trouble !== prev.trouble) return trouble ?? 'recovered';
  if (quarterOf(pull) > prev.quarter) return 'progress';
  return undefined;
}

/** The state once `kind` was decided for `pull`. */
export function afterMilestone(prev: MilestoneState | undefined, kind: MilestoneKind, pull: PullStatus): MilestoneState {
  return {
    writes: (prev?.writes ?? 0) + 1,
    quarter: Math.max(prev?.quarter ?? 0, quarterOf(pull)),
    trouble: troubleOf(pull),
    final: kind === 'done' || kind === 'failed',
  };
}

/** How long the pull is expected to take in all: so far, plus its ETA while it runs. */
export function expectedMs(pull: PullStatus, at: number): number {
  const started = Date.parse(pull.startedAt);
  if (!Number.isFinite(started)) return 0;
  const end = pull.completedAt ? Date.parse(pull.completedAt) : at;
  const eta = pull.completedAt ? 0 : (pull.etaSeconds ?? 0) * 1000;
  return Math.max(0, end - started) + eta + (pull.waitSeconds ?? 0) * 1000;
}

function troubleOf(pull: PullStatus): Trouble {
  if (pull.status === 'stalled') return 'stalled';
  if (pull.status === 'pulling' && pull.slow) return 'trickling';
  return undefined;
}

function quarterOf(pull: PullStatus): number {
  if (pull.status === 'unpacking') return 3;
  if (!pull.totalKnown) return 0;
  return Math.max(0, Math.min(3, Math.floor(pull.percent / 25)));
}
