// The history as the server uses it, whatever holds it: SQLite (the default, one process; sqlite/)
// or PostgreSQL (`PULLTRACE_DB=postgres://…`, shared by replicas; postgres/). The dialects implement
// one interface (historyInterface.ts) and never import this file.
import type { Logger } from '../log/index.js';
import type { History } from './historyInterface.js';
import { isPostgresUrl, openPostgresHistory } from './postgres/index.js';
import { HistoryStore, SqliteHistory } from './sqlite/index.js';

export type { History } from './historyInterface.js';

/** Opens the history named by the `db` setting: a postgres:// URL, else a SQLite path. */
export async function openHistory(db: string, logger: Logger): Promise<History> {
  if (isPostgresUrl(db)) return openPostgresHistory(db, logger);
  return new SqliteHistory(HistoryStore.open(db, logger));
}
