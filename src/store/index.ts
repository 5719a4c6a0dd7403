export { encodeCursor } from './cursor.js';
export { HistoryDatabaseError, InvalidCursorError, InvalidHistoryQueryError } from './errors.js';
export { type History, openHistory } from './history.js';
export type { HistoryFilter } from './historyFilter.js';
export { MAX_RESTORED_PULLS, PRUNE_BATCH_ROWS } from './historyLimits.js';
export { type HistoryPage, MAX_HISTORY_LIMIT } from './historyPage.js';
export { isPostgresUrl, postgresUrlProblem, redactPostgresUrl } from './postgres/index.js';
export { HistoryStore, SqliteHistory } from './sqlite/index.js';
