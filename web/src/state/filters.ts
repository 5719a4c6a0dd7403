import { FAILURE_REASONS } from './failureReasons.js';
import type { PullStatus } from './types.js';

export const SORT_KEYS = ['start', 'progress', 'speed', 'eta'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
/** `slow` is not a status of its own: it selects pulling pulls marked slow. */
export const STATUSES = ['pulling', 'stalled', 'unpacking', 'completed', 'failed', 'slow'] as const;
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

/** Case-insensitive substring filters, the same rule the server applies to its query filters. */
export function matchesFilters(pull: PullStatus, state: ViewState): boolean {
  if (state.status === 'slow' ? pull.slow !== true : state.status && pull.status !== state.status) return false;
  if (state.reason && pull.failureReason !== state.reason) return false;
  if (state.cluster && (pull.cluster ?? DEFAULT_CLUSTER) !== state.cluster) return false;
  if (!contains(pull.nodeName, state.node)) return false;
  if (!contains(pull.imageRef, state.image)) return false;
  if (state.namespace && !pull.pods.some((p) => contains(p.namespace, state.namespace))) return false;
  if (state.pod && !pull.pods.some((p) => contains(p.podName, state.pod))) return false;
  return true;
}

/** The cluster of pulls that carry none, as on the server. */
export const DEFAULT_CLUSTER = 'default';

/** Cluster names seen in these pulls, sorted: the cluster filter is offered when there is more than one. */
export function clustersOf(pulls: readonly PullStatus[]): string[] {
  return [...new Set(pulls.map((p) => p.cluster ?? DEFAULT_CLUSTER))].sort();
}

function contains(value: string, needle: string): boolean {
  return needle === '' || value.toLowerCase().includes(needle.toLowerCase());
}

/**
 * Orders pulls for the list: newest first, least progress first (what holds a rollout up),
 * slowest first (unfinished pulls before finished ones, whose speed is 0), or longest ETA first
 * (unknown ETAs last). Ties go by id so rows don't swap.
 */
export function sortPulls(pulls: PullStatus[], key: SortKey): PullStatus[] {
  const compare = COMPARATORS[key];
  return pulls.slice().sort((a, b) => compare(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const COMPARATORS: Record<SortKey, (a: PullStatus, b: PullStatus) => number> = {
  start: (a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt),
  progress: (a, b) => a.percent - b.percent,
  speed: (a, b) => Number(isFinished(a)) - Number(isFinished(b)) || a.bytesPerSec - b.bytesPerSec,
  eta: (a, b) => (b.etaSeconds ?? -1) - (a.etaSeconds ?? -1),
};

function isFinished(pull: PullStatus): boolean {
  return pull.status === 'completed' || pull.status === 'failed';
}
