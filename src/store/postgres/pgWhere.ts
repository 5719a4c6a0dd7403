// The history filter (../historyFilter.ts, written for SQLite) in PostgreSQL's dialect: numbered
// parameters, and ILIKE for SQLite's case-insensitive LIKE (the columns are COLLATE "C", so both fold
// ASCII only). One source for what a filter means; only the spelling differs.
import type { HistoryCursor } from '../cursor.js';
import { type HistoryFilter, historyWhere, type SqlWhere } from '../historyFilter.js';

export function pgHistoryWhere(filter: HistoryFilter, after?: HistoryCursor): SqlWhere {
  const where = historyWhere(filter, after);
  return { sql: toPgDialect(where.sql), params: where.params };
}

/** `?` → `$1, $2, …` in order and LIKE → ILIKE. The SQL holds no `?` or LIKE inside string literals. */
export function toPgDialect(sql: string, firstParam = 1): string {
  let n = firstParam;
  return sql.replace(/\?/g, () => `$${n++}`).replace(/ LIKE /g, ' ILIKE ');
}
