// The SQLite dialect of the history: the store (historyStore.ts), its asynchronous face with reads
// on worker threads (sqliteHistory.ts), and the schema.
export { HistoryReadError } from './historyReadThreads.js';
export { HistoryStore } from './historyStore.js';
export { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
export { IN_MEMORY } from './openDatabase.js';
export { SqliteHistory } from './sqliteHistory.js';
