// One page of history, as both stores (and the SQLite read worker) build it: the request checked
// before any database is asked, the rows turned into pulls, and the `next` cursor.
import type { PullStatus } from '../model/index.js';
import { decodeCursor, encodeCursor, type HistoryCursor } from './cursor.js';
import { InvalidHistoryQueryError } from './errors.js';
import type { HistoryFilter } from './historyFilter.js';
import { fromPullRow, fromPullRowWithoutLayers } from './pullRow.js';

export interface HistoryPage {
  pulls: PullStatus[];
  next: string | null;
}

export const MAX_HISTORY_LIMIT = 500;

/** A row of a page query, as either database gives it (PostgreSQL's BIGINT arrives as a string). */
export interface PageRow {
  id: string;
  completed_at: number | string;
  doc: string;
  layers: string;
  layers_format: number;
}

/** Throws InvalidHistoryQueryError / InvalidCursorError for a request no store could answer; returns the decoded cursor. */
export function checkHistoryQuery(filter: HistoryFilter, limit: number, cursor: string | undefined): HistoryCursor | undefined {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
    throw new InvalidHistoryQueryError(`limit must be an integer from 1 to ${MAX_HISTORY_LIMIT} (got ${limit})`);
  }
  for (const key of ['since', 'until'] as const) {
    const value = filter[key];
    if (value !== undefined && !Number.isFinite(value)) throw new InvalidHistoryQueryError(`${key} must be a time`);
  }
  return cursor ? decodeCursor(cursor) : undefined;
}

/** `rows` holds up to `limit + 1` rows: one more than the page says whether there is a next page. */
export function pageOf(rows: readonly PageRow[], limit: number, withLayers = true): HistoryPage {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    pulls: page.map((r) => (withLayers ? fromPullRow(r.doc, r.layers, r.layers_format) : fromPullRowWithoutLayers(r.doc))),
    next: more && last ? encodeCursor({ completedAt: Number(last.completed_at), id: last.id }) : null,
  };
}
