import type { PullState, PullStatus } from '../../model/index.js';

/**
 * The query filters of /api/v1/pulls, /api/v1/events and /api/v1/history. Names are matched as
 * case-insensitive substrings; `status` is a set of exact states (see statusFilter.ts).
 */
export interface PullFilter {
  node?: string;
  image?: string;
  namespace?: string;
  pod?: string;
  status?: readonly PullState[];
  /** exact cluster name (PULLTRACE_CLUSTER); a pull without one is in `default` */
  cluster?: string;
}

export const FILTER_KEYS = ['node', 'image', 'namespace', 'pod', 'status', 'cluster'] as const;

/** The cluster of pulls that carry none (restored from history written before clusters existed). */
export const DEFAULT_CLUSTER = 'default';

// `haystack` is typed loosely on purpose: a filter runs in the SSE flush timer and in every read,
// over pulls that may have been restored from a database an older release wrote. A value that is
// not a string (or pods that are not a list) matches no needle instead of throwing.
function has(haystack: unknown, needle: string | undefined): boolean {
  if (needle === undefined || needle === '') return true;
  return typeof haystack === 'string' && haystack.toLowerCase().includes(needle.toLowerCase());
}

function anyPod(pull: Pick<PullStatus, 'pods'>, match: (p: PullStatus['pods'][number]) => boolean): boolean {
  return Array.isArray(pull.pods) && pull.pods.some((p) => typeof p === 'object' && p !== null && match(p));
}

/** What a filter looks at: a served PullStatus, or the tracker's record it is built from. */
export type FilterablePull = Pick<PullStatus, 'nodeName' | 'imageRef' | 'status' | 'pods' | 'cluster'>;

export function matchesFilter(pull: FilterablePull, f: PullFilter): boolean {
  if (!has(pull.nodeName, f.node) || !has(pull.imageRef, f.image)) return false;
  if (f.status && !f.status.includes(pull.status)) return false;
  if (f.cluster && (pull.cluster ?? DEFAULT_CLUSTER) !== f.cluster) return false;
  if (f.namespace && !anyPod(pull, (p) => has(p.namespace, f.namespace))) return false;
  if (f.pod && !anyPod(pull, (p) => has(p.podName, f.pod))) return false;
  return true;
}

export function isEmptyFilter(f: PullFilter): boolean {
  return FILTER_KEYS.every((k) => f[k] === undefined || f[k] === '');
}
