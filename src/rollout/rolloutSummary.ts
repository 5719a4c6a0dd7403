// The rollout summary of one image across every node pulling it: counts by state, aggregate
// throughput, the spread of per-node speed, the rollout's ETA (its slowest node's) and the
// nodes holding it up. Pure, over plain PullStatus data, so the web UI and `pulltrace watch`
// show the same figures. Reads statuses it does not know (a newer server) as still active.
import type { PullStatus } from '../model/index.js';
import { type GroupOutcome, groupProgress } from '../pulls/index.js';

/** The fields a summary reads; a pull from an older or newer server still fits. */
export type RolloutPull = Pick<
  PullStatus,
  'id' | 'nodeName' | 'imageRef' | 'percent' | 'bytesPerSec' | 'etaSeconds' | 'error' | 'totalBytes' | 'downloadedBytes'
> & { status: string; failureReason?: string };

/** A bucket of the rollout bar; `unpacking` and unknown statuses count as pulling. */
export type RolloutBucket = 'done' | 'pulling' | 'stalled' | 'failed';

export interface RolloutNodeRef {
  id: string;
  nodeName: string;
  status: string;
  percent: number;
  bytesPerSec: number;
  etaSeconds?: number;
  error?: string;
  failureReason?: string;
}

export interface RolloutSummary {
  imageRef: string;
  /** pulls of this image (one per node, or more when a node re-pulled) */
  pulls: number;
  /** distinct nodes */
  nodes: number;
  done: number;
  pulling: number;
  stalled: number;
  failed: number;
  /** sum of the current speeds of active pulls */
  bytesPerSec: number;
  totalBytes: number;
  downloadedBytes: number;
  /** downloaded / total bytes over every pull, 0–100; undefined while no pull knows its size (pulls/groupProgress.ts) */
  percent: number | undefined;
  /** the worst state among the pulls: what the rollout is coloured by (never `done` with a failure) */
  worst: GroupOutcome;
  /** median and 95th percentile of the speeds of pulls downloading now; undefined when none is */
  speedP50?: number;
  speedP95?: number;
  /** the rollout's ETA: the longest ETA of its active pulls; undefined when none is known */
  etaSeconds?: number;
  /** the pull that ETA belongs to */
  etaPullId?: string;
  /** active pulls whose ETA is unknown (stalled, no speed yet): the ETA above is then a lower bound */
  etaUnknown: number;
  /** active pulls holding the rollout up, worst first: unknown ETA (stalled) first, then longest ETA, then slowest */
  slowest: RolloutNodeRef[];
  /** failed pulls with their errors, by node name */
  failedPulls: RolloutNodeRef[];
}

export const DEFAULT_LIST_LIMIT = 5;

export function rolloutBucket(status: string): RolloutBucket {
  if (status === 'completed') return 'done';
  if (status === 'failed') return 'failed';
  if (status === 'stalled') return 'stalled';
  return 'pulling';
}

/** Nearest-rank percentile of an ascending list; undefined for an empty list. */
export function percentile(sortedAscending: readonly number[], p: number): number | undefined {
  if (sortedAscending.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1];
}

/** Orders active pulls worst first: unknown ETA, then longest ETA, then slowest; ties by node name. */
export function compareHoldingUp(a: RolloutPull, b: RolloutPull): number {
  const ea = a.etaSeconds ?? Number.POSITIVE_INFINITY;
  const eb = b.etaSeconds ?? Number.POSITIVE_INFINITY;
  if (ea !== eb) return eb - ea;
  if (a.bytesPerSec !== b.bytesPerSec) return a.bytesPerSec - b.bytesPerSec;
  return a.nodeName < b.nodeName ? -1 : a.nodeName > b.nodeName ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The summary of one image's pulls (all pulls passed should share the image). */
export function summarizeRollout(imageRef: string, pulls: readonly RolloutPull[], listLimit = DEFAULT_LIST_LIMIT): RolloutSummary {
  const summary: RolloutSummary = {
    imageRef,
    pulls: pulls.length,
    nodes: new Set(pulls.map((p) => p.nodeName)).size,
    done: 0,
    pulling: 0,
    stalled: 0,
    failed: 0,
    bytesPerSec: 0,
    totalBytes: 0,
    downloadedBytes: 0,
    percent: undefined,
    worst: 'done',
    etaUnknown: 0,
    slowest: [],
    failedPulls: [],
  };
  const speeds: number[] = [];
  const active: RolloutPull[] = [];
  const failed: RolloutPull[] = [];
  for (const pull of pulls) {
    const bucket = rolloutBucket(pull.status);
    summary[bucket]++;
    if (bucket === 'failed') failed.push(pull);
    if (bucket !== 'pulling' && bucket !== 'stalled') continue;
    active.push(pull);
    const speed = finite(pull.bytesPerSec);
    summary.bytesPerSec += speed;
    if (pull.status === 'pulling' && speed > 0) speeds.push(speed);
    const eta = pull.etaSeconds;
    if (eta === undefined || !Number.isFinite(eta)) summary.etaUnknown++;
    else if (summary.etaSeconds === undefined || eta > summary.etaSeconds) {
      summary.etaSeconds = eta;
      summary.etaPullId = pull.id;
    }
  }
  const progress = groupProgress(pulls);
  summary.totalBytes = progress.totalBytes;
  summary.downloadedBytes = progress.downloadedBytes;
  summary.percent = progress.percent;
  summary.worst = progress.worst;
  speeds.sort((a, b) => a - b);
  summary.speedP50 = percentile(speeds, 50);
  summary.speedP95 = percentile(speeds, 95);
  summary.slowest = topN(active, listLimit, compareHoldingUp).map(nodeRef);
  summary.failedPulls = topN(failed, listLimit, byNodeName).map(nodeRef);
  return summary;
}

/** One summary per image, biggest rollouts first (then by image reference). */
export function summarizeRollouts(pulls: Iterable<RolloutPull>, listLimit = DEFAULT_LIST_LIMIT): RolloutSummary[] {
  const byImage = new Map<string, RolloutPull[]>();
  for (const pull of pulls) {
    const list = byImage.get(pull.imageRef);
    if (list) list.push(pull);
    else byImage.set(pull.imageRef, [pull]);
  }
  return [...byImage.entries()]
    .map(([imageRef, list]) => summarizeRollout(imageRef, list, listLimit))
    .sort((a, b) => b.pulls - a.pulls || (a.imageRef < b.imageRef ? -1 : a.imageRef > b.imageRef ? 1 : 0));
}

/** The first n of a list under an order, without sorting all of it (1,000s of nodes, a render per second). */
function topN<T>(items: readonly T[], n: number, compare: (a: T, b: T) => number): T[] {
  if (items.length <= n * 4) return items.slice().sort(compare).slice(0, n);
  const best: T[] = [];
  for (const item of items) {
    if (best.length === n && compare(item, best[n - 1] as T) >= 0) continue;
    let i = best.length;
    while (i > 0 && compare(item, best[i - 1] as T) < 0) i--;
    best.splice(i, 0, item);
    if (best.length > n) best.pop();
  }
  return best;
}

function byNodeName(a: RolloutPull, b: RolloutPull): number {
  return a.nodeName < b.nodeName ? -1 : a.nodeName > b.nodeName ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function nodeRef(pull: RolloutPull): RolloutNodeRef {
  const ref: RolloutNodeRef = {
    id: pull.id,
    nodeName: pull.nodeName,
    status: pull.status,
    percent: finite(pull.percent),
    bytesPerSec: finite(pull.bytesPerSec),
  };
  if (pull.etaSeconds !== undefined && Number.isFinite(pull.etaSeconds)) ref.etaSeconds = pull.etaSeconds;
  if (pull.error) ref.error = pull.error;
  if (pull.failureReason) ref.failureReason = pull.failureReason;
  return ref;
}

function finite(n: number | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}
