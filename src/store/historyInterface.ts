// What the server asks of the history, whichever dialect holds it (sqlite/, postgres/). Reads are
// asynchronous because a network database answers later; writes are queued and never make report
// ingest wait.
import type { PullStatus } from '../model/index.js';
import type { HistoryFilter } from './historyFilter.js';
import type { HistoryPage } from './historyPage.js';

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
  /**
   * `query`'s page as the body /api/v1/history sends (exactly `JSON.stringify(page)`, UTF-8). The
   * SQLite dialect builds it on the worker thread that ran the query, so a 500-pull page with layers
   * is neither copied between threads as objects nor serialised on the event loop.
   */
  queryJson(filter: HistoryFilter, limit: number, cursor?: string, withLayers?: boolean): Promise<Uint8Array>;
  /** The most recent `limit` pulls finished at or after `sinceMs`, oldest first. */
  finishedSince(sinceMs: number, limit?: number): Promise<PullStatus[]>;
  /** Deletes rows finished before `olderThanMs`, then the oldest beyond `maxPulls`; returns how many. */
  prune(olderThanMs: number, maxPulls?: number): Promise<number>;
  /** `prune` without blocking ingest; a call while one runs is ignored. */
  pruneInBackground(olderThanMs: number, maxPulls?: number, onDone?: (deleted: number) => void): void;
  /** Writes what is pending (as far as the database allows), then closes. Safe to call twice. */
  close(): Promise<void>;
}
