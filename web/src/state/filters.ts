import { clusterOf, isFinished, matchesFilter } from '../../../src/pulls/index.js';
import { FAILURE_REASONS } from './failureReasons.js';
import type { PullStatus } from './types.js';

export const SORT_KEYS = ['start', 'progress', 'speed', 'eta'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
/** `slow` is not a status of its own: it selects pulling pulls marked slow. */
export const STATUSES = ['pulling', 'stalled', 'unpacking', 'completed', 'failed', 'slow'] as const;
/** History holds finished pulls only, and its API has no `slow`: the History tab offers these. */
export const HISTORY_STATUSES = ['completed', 'failed'] as const;
export const VIEWS = ['pulls', 'images', 'history'] as const;
export type View = (typeof VIEWS)[number];

/** Everything the URL says about the view, so a copied link reproduces it. */
export interface ViewState {
  view: View;
  namespace: string;
  node: string;
  pod: string;
  image: string;
  status: string;
  /** failure kind of failed pulls ('' = any) */
  reason: string;
  sort: SortKey;
  /** image reference opened in the image view */
  focus: string;
  /** exact cluster name ('' = every cluster); pulls without one are in `default` */
  cluster: string;
}

export const DEFAULT_VIEW_STATE: ViewState = {
  view: 'pulls',
  namespace: '',
  node: '',
  pod: '',
  image: '',
  status: '',
  reason: '',
  sort: 'start',
  focus: '',
  cluster: '',
};

const TEXT_KEYS = ['namespace', 'node', 'pod', 'image', 'focus', 'cluster'] as const;

/** The status choices a view offers. */
export function statusesOf(view: View): readonly string[] {
  return view === 'history' ? HISTORY_STATUSES : STATUSES;
}

/**
 * The status filter in effect in the current view: a live-only status (`slow`, `pulling`…) kept in
 * the URL from the Pulls tab does not apply to History, which then shows (and asks for) any status.
 */
export function statusInEffect(state: Pick<ViewState, 'view' | 'status'>): string {
  return statusesOf(state.view).includes(state.status) ? state.status : '';
}

/** Reads a query string; unknown or bad values fall back to defaults rather than breaking the page. */
export function parseViewState(search: string): ViewState {
  const params = new URLSearchParams(search);
  const state: ViewState = { ...DEFAULT_VIEW_STATE };
  for (const key of TEXT_KEYS) state[key] = (params.get(key) ?? '').slice(0, 256);
  const view = params.get('view');
  if (view && (VIEWS as readonly string[]).includes(view)) state.view = view as View;
  const sort = params.get('sort');
  if (sort && (SORT_KEYS as readonly string[]).includes(sort)) state.sort = sort as SortKey;
  const status = params.get('status');
  if (status && (STATUSES as readonly string[]).includes(status)) state.status = status;
  const reason = params.get('reason');
  if (reason && (FAILURE_REASONS as readonly string[]).includes(reason)) state.reason = reason;
  return state;
}

/** The query string for a view state, leaving defaults out so links stay short. */
export function formatViewState(state: ViewState): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(DEFAULT_VIEW_STATE) as Array<keyof ViewState>) {
    if (state[key] !== DEFAULT_VIEW_STATE[key]) params.set(key, state[key]);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The server's filter rules (src/pulls: case-insensitive substrings, exact cluster), plus the
 * page's own: one status or `slow`, and the failure kind.
 */
export function matchesFilters(pull: PullStatus, state: ViewState): boolean {
  if (state.status === 'slow' ? pull.slow !== true : state.status && pull.status !== state.status) return false;
  if (state.reason && pull.failureReason !== state.reason) return false;
  const { node, image, namespace, pod, cluster } = state;
  return matchesFilter(pull, { node, image, namespace, pod, cluster });
}

/** Cluster names seen in these pulls, sorted: the cluster filter is offered when there is more than one. */
export function clustersOf(pulls: readonly PullStatus[]): string[] {
  return [...new Set(pulls.map(clusterOf))].sort();
}

/**
 * Orders pulls for the list: newest first, least progress first (what holds a rollout up),
 * slowest first (unfinished pulls before finished ones, whose speed is 0), or longest ETA first
 * (unknown ETAs last). Ties go by id so rows don't swap.
 */
export function sortPulls(pulls: PullStatus[], key: SortKey): PullStatus[] {
  // Each pull's sort keys are computed once, not in the comparator: parsing `startedAt` per
  // comparison was the page's largest cost on a 5,000-node stream (n log n parses per update).
  const keysOf = SORT_VALUES[key];
  const first = new Float64Array(pulls.length);
  const second = new Float64Array(pulls.length);
  pulls.forEach((pull, i) => {
    [first[i], second[i]] = keysOf(pull);
  });
  const order = pulls.map((_, i) => i);
  // NaN (an unparsable time) compares as a tie, as it did in a comparator, so the id decides.
  order.sort((i, j) => first[i]! - first[j]! || second[i]! - second[j]! || byId(pulls[i]!, pulls[j]!));
  return order.map((i) => pulls[i]!);
}

function byId(a: PullStatus, b: PullStatus): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Ascending numeric keys (primary, secondary) for each order. */
const SORT_VALUES: Record<SortKey, (p: PullStatus) => [number, number]> = {
  start: (p) => [-Date.parse(p.startedAt), 0],
  progress: (p) => [p.percent, 0],
  speed: (p) => [Number(isFinished(p.status)), p.bytesPerSec],
  eta: (p) => [-(p.etaSeconds ?? -1), 0],
};
