// The filter rules every reader of pulls applies: the server's query filters, the history store's
// SQL (the same fields), the web UI and `pulltrace watch`.
import type { PodRef, PullState } from '../model/index.js';
import { DEFAULT_CLUSTER } from './cluster.js';
import { matchesStatusWords } from './statusFilter.js';

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

/** What a client matches: the same fields, `status` as words (`active` included, see statusFilter.ts). */
export type PullFilterWords = Omit<PullFilter, 'status'> & { status?: readonly string[] };

// `haystack` is typed loosely on purpose: a filter runs in the SSE flush timer and in every read,
// over pulls that may have been restored from a database an older release wrote. A value that is
// not a string (or pods that are not a list) matches no needle instead of throwing.
export function containsText(haystack: unknown, needle: string | undefined): boolean {
  if (needle === undefined || needle === '') return true;
  return typeof haystack === 'string' && haystack.toLowerCase().includes(needle.toLowerCase());
}

function anyPod(pull: FilterablePull, match: (p: PodRef) => boolean): boolean {
  return Array.isArray(pull.pods) && pull.pods.some((p) => typeof p === 'object' && p !== null && match(p));
}

/**
 * What a filter looks at: a served PullStatus, the tracker's record it is built from, or a pull a
 * client received (whose status may be one it does not know).
 */
export interface FilterablePull {
  nodeName: string;
  imageRef: string;
  status: string;
  pods: readonly PodRef[];
  cluster?: string | undefined;
}

export function matchesFilter(pull: FilterablePull, f: PullFilterWords): boolean {
  if (!containsText(pull.nodeName, f.node) || !containsText(pull.imageRef, f.image)) return false;
  if (f.status && !matchesStatusWords(pull.status, f.status)) return false;
  if (f.cluster && (pull.cluster ?? DEFAULT_CLUSTER) !== f.cluster) return false;
  if (f.namespace && !anyPod(pull, (p) => containsText(p.namespace, f.namespace))) return false;
  if (f.pod && !anyPod(pull, (p) => containsText(p.podName, f.pod))) return false;
  return true;
}

export function isEmptyFilter(f: PullFilter): boolean {
  return FILTER_KEYS.every((k) => f[k] === undefined || f[k] === '');
}
