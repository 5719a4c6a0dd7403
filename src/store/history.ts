// The history as the server uses it, whatever holds it: SQLite (the default, one process) or
// PostgreSQL (`PULLTRACE_DB=postgres://…`, shared by replicas). Reads are asynchronous because a
// network database answers later; writes are queued and never make report ingest wait.
import type { Logger } from '../log/index.js';
import type { PullStatus } from '../model/index.js';
import type { HistoryFilter } from './historyFilter.js';
import { checkHistoryQuery, type HistoryPage } from './historyPage.js';
import { HistoryReadThreads } from './historyReadThreads.js';
import { HistoryStore, MAX_RESTORED_PULLS } from './historyStore.js';
import { IN_MEMORY } from './openDatabase.js';
import { isPostgresUrl } from './postgres/postgresUrl.js';

export interface History {
  /** which database holds the history, for logs and /readyz */
  readonly kind: 'sqlite' | 'postgres';
  /** Queues a finished pull (completed or failed) for the next batch write; never waits. */
  enqueue(pull: PullStatus): void;
  /**
   * Finished pulls waiting to be written, those dropped from a full queue since start, and those
   * the database refused (a malformed row: dropped alone, the rest of its batch written), for metrics.
   */
  queueState(): { queued: number; dropped: number; refused: number };
  /** Writes what is pending now; resolves when written (or when the database could not take it). */
  flush(): Promise<void>;
  /**
   * Newest first; throws InvalidHistoryQueryError / InvalidCursorError for bad input. Never runs the
   * query on the event loop (SQLite: a worker thread; PostgreSQL: the server). `withLayers` false
   * leaves `layers` out (and unread).
   */
  query(filter: HistoryFilter, limit: number, cursor?: string, withLayers?: boolean): Promise<HistoryPage>;
  /** The most recent `limit` pulls finished at or after `sinceMs`, oldest first. */
  finishedSince(sinceMs: number, limit?: number): Promise<PullStatus[]>;
  /** Deletes rows finished before `olderThanMs`, then the oldest beyond `maxPulls`; returns how many. */
  prune(olderThanMs: number, maxPulls?: number): Promise<number>;
  /** `prune` without blocking ingest; a call while one runs is ignored. */
  pruneInBackground(olderThanMs: number, maxPulls?: number, onDone?: (deleted: number) => void): void;
  /** Writes what is pending (as far as the database allows), then closes. Safe to call twice. */
  close(): Promise<void>;
}

/** Opens the history named by the `db` setting: a postgres:// URL, else a SQLite path. */
export async function openHistory(db: string, logger: Logger): Promise<History> {
  if (isPostgresUrl(db)) {
    // Loaded only when asked for, so the default (SQLite) never loads the PostgreSQL client.
    const { PostgresHistoryStore } = await import('./postgres/postgresHistoryStore.js');
    return PostgresHistoryStore.open(db, logger);
  }
  return new SqliteHistory(HistoryStore.open(db, logger));
}

/**
 * The SQLite store (synchronous, in-process) behind the asynchronous interface. Page queries of a
 * file database run on worker threads with their own read-only connections; an in-memory database
 * (`:memory:`, for tests and trials) cannot be shared with them, so its queries run here.
 */
export class SqliteHistory implements History {
  readonly kind = 'sqlite' as const;
  private readonly readers: HistoryReadThreads | undefined;
  constructor(readonly store: HistoryStore) {
    this.readers = store.path === IN_MEMORY ? undefined : new HistoryReadThreads(store.path);
  }
  enqueue(pull: PullStatus): void {
    this.store.enqueue(pull);
  }
  queueState(): { queued: number; dropped: number; refused: number } {
    // The SQLite batch is written within milliseconds and never dropped.
    return { queued: this.store.queued, dropped: 0, refused: this.store.refused };
  }
  async flush(): Promise<void> {
    this.store.flush();
  }
  async query(filter: HistoryFilter, limit: number, cursor?: string, withLayers = true): Promise<HistoryPage> {
    if (!this.readers) return this.store.query(filter, limit, cursor, withLayers);
    const after = checkHistoryQuery(filter, limit, cursor);
    // Written before the worker reads: a query sees every pull enqueued before it.
    this.store.flush();
    return this.readers.page(filter, limit, after, withLayers);
  }
  async finishedSince(sinceMs: number, limit = MAX_RESTORED_PULLS): Promise<PullStatus[]> {
    return this.store.finishedSince(sinceMs, limit);
  }
  async prune(olderThanMs: number, maxPulls?: number): Promise<number> {
    return this.store.prune(olderThanMs, maxPulls);
  }
  pruneInBackground(olderThanMs: number, maxPulls?: number, onDone?: (deleted: number) => void): void {
    this.store.pruneInBackground(olderThanMs, maxPulls, onDone);
  }
  async close(): Promise<void> {
    await this.readers?.close();
    this.store.close();
  }
}
