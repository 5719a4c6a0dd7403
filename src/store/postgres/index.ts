// The PostgreSQL dialect of the history. The URL helpers are pure; the store, and with it the `pg`
// client, is loaded only when a postgres:// history is opened, so the default (SQLite) never loads it.
import type { Logger } from '../../log/index.js';
import type { History } from '../historyInterface.js';

export { isPostgresUrl, postgresUrlProblem, redactPostgresUrl } from '../../common/index.js';

/** Connects, checks and migrates the PostgreSQL history at `url`. */
export async function openPostgresHistory(url: string, logger: Logger): Promise<History> {
  const { PostgresHistoryStore } = await import('./postgresHistoryStore.js');
  return PostgresHistoryStore.open(url, logger);
}
