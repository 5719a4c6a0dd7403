// How far a group of pulls (one image across nodes, a rollout) has come, and its worst state.
// One function for the web UI and the terminal, so neither can show a failed image as a full,
// green, 100 % bar: the percent comes from bytes only (unknown when no total is known yet), and
// the colour from the worst status in the group, never from the percent.

/** The states a group is coloured by, best to worst; unknown statuses (a newer server) count as pulling. */
export type GroupOutcome = 'done' | 'pulling' | 'stalled' | 'failed';

const RANK: Record<GroupOutcome, number> = { done: 0, pulling: 1, stalled: 2, failed: 3 };

/** The outcome one pull's status counts as; `unpacking` and statuses this code does not know are still pulling. */
export function outcomeOf(status: string): GroupOutcome {
  if (status === 'completed') return 'done';
  if (status === 'failed') return 'failed';
  if (status === 'stalled') return 'stalled';
  return 'pulling';
}

/** The worse of two outcomes: failed, then stalled, then pulling, then done. */
export function worseOutcome(a: GroupOutcome, b: GroupOutcome): GroupOutcome {
  return RANK[a] >= RANK[b] ? a : b;
}

export interface GroupProgressInput {
  status: string;
  totalBytes: number;
  downloadedBytes: number;
}

export interface GroupProgress {
  /** downloaded / total bytes over every pull, 0–100; undefined while no pull knows its size */
  percent: number | undefined;
  /** the worst state among the pulls (`done` only when every pull completed) */
  worst: GroupOutcome;
  totalBytes: number;
  downloadedBytes: number;
}

/** Percent from bytes and colour from the worst status, over any number of pulls. */
export function groupProgress(pulls: Iterable<GroupProgressInput>): GroupProgress {
  let totalBytes = 0;
  let downloadedBytes = 0;
  let worst: GroupOutcome = 'done';
  let count = 0;
  for (const pull of pulls) {
    count++;
    totalBytes += nonNegative(pull.totalBytes);
    downloadedBytes += nonNegative(pull.downloadedBytes);
    worst = worseOutcome(worst, outcomeOf(pull.status));
  }
  return { percent: percentOf(downloadedBytes, totalBytes, worst, count), worst, totalBytes, downloadedBytes };
}

/**
 * Bytes decide the percent. Without a known total it is unknown ("–"), except for a group whose
 * every pull completed: a pull that finished with nothing to download (all layers cached) is done.
 */
function percentOf(downloaded: number, total: number, worst: GroupOutcome, count: number): number | undefined {
  if (total > 0) return Math.min(100, (downloaded / total) * 100);
  return count > 0 && worst === 'done' ? 100 : undefined;
}

function nonNegative(n: number): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}
