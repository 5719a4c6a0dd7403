export { InvalidCursorError, InvalidHistoryQueryError } from './errors.js';
export { type History, openHistory, SqliteHistory } from './history.js';
export type { HistoryFilter } from './historyFilter.js';
export { type HistoryPage, HistoryStore, MAX_HISTORY_LIMIT } from './historyStore.js';
export { HistoryDatabaseError } from './openDatabase.js';
