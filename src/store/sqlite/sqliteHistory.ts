import type { PullStatus } from '../../model/index.js';
import type { HistoryFilter } from '../historyFilter.js';
import type { History } from '../historyInterface.js';
import { MAX_RESTORED_PULLS } from '../historyLimits.js';
import { checkHistoryQuery, type HistoryPage } from '../historyPage.js';
import { HistoryReadThreads } from './historyReadThreads.js';
import type { HistoryStore } from './historyStore.js';
import { IN_MEMORY } from './openDatabase.js';

const utf8 = new TextEncoder();

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
  async queryJson(filter: HistoryFilter, limit: number, cursor?: string, withLayers = true): Promise<Uint8Array> {
    if (!this.readers) return utf8.encode(JSON.stringify(this.store.query(filter, limit, cursor, withLayers)));
    const after = checkHistoryQuery(filter, limit, cursor);
    this.store.flush();
    return this.readers.pageJson(filter, limit, after, withLayers);
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
