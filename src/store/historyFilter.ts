import type { FailureReason, PullState } from '../model/index.js';
import { DEFAULT_CLUSTER } from '../pulls/index.js';
import type { HistoryCursor } from './cursor.js';

export interface HistoryFilter {
  node?: string;
  image?: string;
  namespace?: string;
  pod?: string;
  /** exact states, any of them, like the live API */
  status?: readonly PullState[];
  /** ms epoch, inclusive, on completedAt */
  since?: number;
  /** ms epoch, inclusive, on completedAt */
  until?: number;
  /** exact cluster name; rows written before clusters existed are in `default` */
  cluster?: string;
  /** failure kinds, any of them: failed pulls whose failureReason is one of these */
  reason?: readonly FailureReason[];
}

export interface SqlWhere {
  /** '' when nothing filters, else 'WHERE …' */
  sql: string;
  params: Array<string | number>;
}

/**
 * LIKE pattern matching `text` as a substring. SQLite's LIKE folds ASCII case only, which is
 * exactly what these fields need: node, namespace and pod names are lowercase DNS names and
 * image references are ASCII.
 */
export function substringPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The WHERE clause of a history query over `pulls p`; empty filter strings match everything. */
export function historyWhere(filter: HistoryFilter, after?: HistoryCursor): SqlWhere {
  const terms: string[] = [];
  const params: Array<string | number> = [];
  const like = (column: string, value: string | undefined) => {
    if (!value) return;
    terms.push(`${column} LIKE ? ESCAPE '\\'`);
    params.push(substringPattern(value));
  };
  like('p.node_name', filter.node);
  like('p.image_ref', filter.image);
  if (filter.status) {
    // An empty set matches nothing, as in the live API.
    terms.push(filter.status.length ? `p.status IN (${filter.status.map(() => '?').join(', ')})` : '1 = 0');
    params.push(...filter.status);
  }
  if (filter.reason) {
    // An empty set matches nothing, as `status` does.
    terms.push(filter.reason.length ? `p.failure_reason IN (${filter.reason.map(() => '?').join(', ')})` : '1 = 0');
    params.push(...filter.reason);
  }
  // Like the live API (src/server/tracker/pullFilter.ts): each matches any pod of the pull.
  const anyPod = (column: string, value: string | undefined) => {
    if (!value) return;
    terms.push(`EXISTS (SELECT 1 FROM pull_pods k WHERE k.pull_id = p.id AND k.${column} LIKE ? ESCAPE '\\')`);
    params.push(substringPattern(value));
  };
  anyPod('namespace', filter.namespace);
  anyPod('pod_name', filter.pod);
  if (filter.cluster) {
    terms.push(`COALESCE(p.cluster, '${DEFAULT_CLUSTER}') = ?`);
    params.push(filter.cluster);
  }
  if (filter.since !== undefined) {
    terms.push('p.completed_at >= ?');
    params.push(filter.since);
  }
  if (filter.until !== undefined) {
    terms.push('p.completed_at <= ?');
    params.push(filter.until);
  }
  if (after) {
    // Keyset pagination: strictly after the cursor in (completed_at desc, id desc) order, so rows
    // sharing a completedAt are neither repeated nor skipped. Written with a plain range on
    // completed_at first so SQLite seeks to the cursor instead of scanning from the newest row.
    terms.push('p.completed_at <= ? AND (p.completed_at < ? OR p.id < ?)');
    params.push(after.completedAt, after.completedAt, after.id);
  }
  return { sql: terms.length ? `WHERE ${terms.join(' AND ')}` : '', params };
}
