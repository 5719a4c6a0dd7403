import type Database from 'better-sqlite3';
import type { Logger } from '../../log/index.js';
import type { PullStatus } from '../../model/index.js';
import type { HistoryFilter } from '../historyFilter.js';
import { FLUSH_BATCH_SIZE, FLUSH_DELAY_MS, MAX_RESTORED_PULLS, PRUNE_BATCH_ROWS } from '../historyLimits.js';
import { checkHistoryQuery, type HistoryPage, type PageRow } from '../historyPage.js';
import { fromPullRow, historyRowOf, type PullRow } from '../pullRow.js';
import { openHistoryDatabase } from './openDatabase.js';
import { SqlitePageQuery } from './sqlitePageQuery.js';

/**
 * Finished pulls (completed or failed) with their layers, in SQLite.
 *
 * `enqueue` only snapshots the pull into memory; a timer writes pending pulls in one transaction,
 * so report ingest never waits for the disk. A pull id is one row: enqueueing the same id again
 * (e.g. kubelet refining `error` right after the agent reported the failure) replaces the pending
 * snapshot, or upserts the row if it was already written — the latest version wins.
 * Reads (`query`, `finishedSince`, `prune`) flush first, so they see everything enqueued before them.
 */
export class HistoryStore {
  private readonly pending = new Map<string, PullRow>();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;
  private readonly pages: SqlitePageQuery;
  /** writes the rows in one transaction; returns how many were new (not updates) */
  private readonly writeBatch: (rows: PullRow[]) => number;
  private readonly finishedSinceStatement: Database.Statement<[number, number], PageRow & { completed_at: number }>;
  private readonly pruneOlderStatement: Database.Statement<[number, number]>;
  private readonly pruneOldestStatement: Database.Statement<[number]>;
  /** rows in the table (counted once at open, then kept by writes and prunes): row-count pruning needs no COUNT(*) */
  private rowCount: number;
  private backgroundPrune: NodeJS.Immediate | undefined;
  private refusedTotal = 0;

  private constructor(
    private readonly db: Database.Database,
    private readonly logger: Logger,
    /** the file (or ':memory:') it was opened from */
    readonly path: string,
  ) {
    const upsertPull = db.prepare(`
      INSERT INTO pulls (id, node_name, image_ref, status, started_at, completed_at, error, manifest_digest, total_bytes, doc, layers, layers_format, cluster, failure_reason)
      VALUES (@id, @nodeName, @imageRef, @status, @startedAt, @completedAt, @error, @manifestDigest, @totalBytes, @doc, @layers, @layersFormat, @cluster, @failureReason)
      ON CONFLICT (id) DO UPDATE SET
        node_name = excluded.node_name, image_ref = excluded.image_ref, status = excluded.status,
        started_at = excluded.started_at, completed_at = excluded.completed_at, error = excluded.error,
        manifest_digest = excluded.manifest_digest, total_bytes = excluded.total_bytes,
        doc = excluded.doc, layers = excluded.layers, layers_format = excluded.layers_format, cluster = excluded.cluster,
        failure_reason = excluded.failure_reason`);
    const exists = db.prepare('SELECT 1 FROM pulls WHERE id = ?').pluck();
    const deletePods = db.prepare('DELETE FROM pull_pods WHERE pull_id = ?');
    const insertPod = db.prepare('INSERT INTO pull_pods (pull_id, namespace, pod_name) VALUES (?, ?, ?)');
    this.writeBatch = db.transaction((rows: PullRow[]) => {
      let inserted = 0;
      for (const row of rows) {
        const { pods, ...columns } = row;
        if (exists.get(row.id) === undefined) inserted++;
        upsertPull.run(columns);
        deletePods.run(row.id);
        for (const pod of pods) insertPod.run(row.id, pod.namespace, pod.podName);
      }
      return inserted;
    });
    this.finishedSinceStatement = db.prepare(
      'SELECT id, completed_at, doc, layers, layers_format FROM pulls WHERE completed_at >= ? ORDER BY completed_at DESC, id DESC LIMIT ?',
    );
    // Both walk the (completed_at, id, …) index from its oldest end, one batch at a time.
    this.pruneOlderStatement = db.prepare(
      'DELETE FROM pulls WHERE rowid IN (SELECT rowid FROM pulls WHERE completed_at < ? ORDER BY completed_at, id LIMIT ?)',
    );
    this.pruneOldestStatement = db.prepare('DELETE FROM pulls WHERE rowid IN (SELECT rowid FROM pulls ORDER BY completed_at, id LIMIT ?)');
    this.rowCount = db.prepare('SELECT COUNT(*) FROM pulls').pluck().get() as number;
    this.pages = new SqlitePageQuery(db);
  }

  /**
   * Opens (creating parent directories) or creates the database at `path` and migrates it;
   * ':memory:' keeps nothing on disk. Throws a HistoryDatabaseError naming the path when the file
   * cannot be opened, is not a Pulltrace history database, or has a newer schema version.
   */
  static open(path: string, logger: Logger): HistoryStore {
    const db = openHistoryDatabase(path);
    const child = logger.child({ component: 'history' });
    child.debug({ path }, 'history database open');
    return new HistoryStore(db, child, path);
  }

  /** Finished pulls waiting for the next batch write. */
  get queued(): number {
    return this.pending.size;
  }

  /** Finished pulls the database refused to store since start (the rest of their batch was written). */
  get refused(): number {
    return this.refusedTotal;
  }

  /** Queues a finished pull (with layers) for the next batch; never touches the disk. */
  enqueue(pull: PullStatus): void {
    const row = historyRowOf(pull, this.closed, this.logger);
    if (!row) return;
    this.pending.set(row.id, row);
    this.scheduleFlush();
  }

  /** Writes every pending pull now, in one transaction. A write error is logged, not thrown. */
  flush(): void {
    this.cancelScheduledFlush();
    this.write(this.pending.size);
  }

  /**
   * Newest first (completedAt desc, id desc). `limit` 1..500; `cursor` is a `next` from an earlier
   * page. Throws InvalidCursorError / InvalidHistoryQueryError for bad input. Runs on this thread:
   * SqliteHistory sends the queries of a file database to worker threads instead.
   */
  query(filter: HistoryFilter, limit: number, cursor?: string, withLayers = true): HistoryPage {
    const after = checkHistoryQuery(filter, limit, cursor);
    this.flush();
    return this.pages.page(filter, limit, after, withLayers);
  }

  /**
   * The most recent (at most `limit`) pulls finished at or after `sinceMs`, oldest first, with
   * layers: to restore the live view after a restart without loading a whole busy day at once.
   */
  finishedSince(sinceMs: number, limit = MAX_RESTORED_PULLS): PullStatus[] {
    this.flush();
    const rows = this.finishedSinceStatement.all(sinceMs, limit);
    if (rows.length === limit) {
      this.logger.info({ restored: limit }, 'restoring only the most recent finished pulls into the live view; older ones stay in history');
    }
    return rows.reverse().map((r) => fromPullRow(r.doc, r.layers, r.layers_format));
  }

  /** Rows in the history table (pending pulls not yet written are not counted). */
  get size(): number {
    return this.rowCount;
  }

  /**
   * Deletes pulls whose completedAt is before `olderThanMs`, then the oldest pulls beyond
   * `maxPulls`, in batches of PRUNE_BATCH_ROWS (one transaction each); returns how many.
   * `maxBatches` bounds the work of one call.
   */
  prune(olderThanMs: number, maxPulls = Number.POSITIVE_INFINITY, maxBatches = Number.POSITIVE_INFINITY): number {
    this.flush();
    let deleted = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      const n = this.pruneBatch(olderThanMs, maxPulls);
      deleted += n;
      if (n === 0) break;
    }
    return deleted;
  }

  /**
   * `prune` spread over turns of the event loop (one batch per turn), so a large backlog (a lowered
   * limit, a long-stopped server) never blocks report ingest. A call while one runs is ignored.
   */
  pruneInBackground(olderThanMs: number, maxPulls = Number.POSITIVE_INFINITY, onDone?: (deleted: number) => void): void {
    if (this.backgroundPrune !== undefined || this.closed) return;
    let deleted = 0;
    const step = () => {
      this.backgroundPrune = undefined;
      if (this.closed) return;
      let n = 0;
      try {
        this.flush();
        n = this.pruneBatch(olderThanMs, maxPulls);
      } catch (err) {
        this.logger.error({ err }, 'history prune failed; will try again at the next prune');
      }
      deleted += n;
      if (n > 0) {
        this.backgroundPrune = setImmediate(step);
        return;
      }
      if (deleted > 0) this.logger.debug({ deleted, rows: this.rowCount }, 'history pruned');
      onDone?.(deleted);
    };
    this.backgroundPrune = setImmediate(step);
  }

  /** One batch: rows past the retention first, then the oldest rows over `maxPulls`. */
  private pruneBatch(olderThanMs: number, maxPulls: number): number {
    let n = this.pruneOlderStatement.run(olderThanMs, PRUNE_BATCH_ROWS).changes;
    if (n === 0 && this.rowCount > maxPulls) {
      n = this.pruneOldestStatement.run(Math.min(PRUNE_BATCH_ROWS, this.rowCount - maxPulls)).changes;
    }
    this.rowCount -= n;
    return n;
  }

  /** Flushes pending pulls, then closes the database. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.flush();
    if (this.backgroundPrune !== undefined) clearImmediate(this.backgroundPrune);
    this.closed = true;
    this.db.close();
  }

  // Timer path: at most one batch per turn of the event loop, so a burst of finished pulls
  // never stalls report ingest for longer than one batch takes.
  private flushBatch(): void {
    this.cancelScheduledFlush();
    this.write(FLUSH_BATCH_SIZE);
    if (this.pending.size > 0) this.scheduleFlush();
  }

  private write(maxRows: number): void {
    if (this.closed || this.pending.size === 0) return;
    const rows: PullRow[] = [];
    for (const [id, row] of this.pending) {
      if (rows.length >= maxRows) break;
      rows.push(row);
      this.pending.delete(id);
    }
    try {
      this.rowCount += this.writeBatch(rows);
    } catch (err) {
      if (rows.length === 1) this.refuse(rows, err);
      else this.writeOneByOne(rows);
    }
  }

  /** One row the database refuses must not cost the batch: each row alone; the refused are dropped and counted. */
  private writeOneByOne(rows: PullRow[]): void {
    const refused: PullRow[] = [];
    let firstError: unknown;
    for (const row of rows) {
      try {
        this.rowCount += this.writeBatch([row]);
      } catch (err) {
        refused.push(row);
        firstError ??= err;
      }
    }
    if (refused.length > 0) this.refuse(refused, firstError);
  }

  private refuse(rows: PullRow[], err: unknown): void {
    this.refusedTotal += rows.length;
    this.logger.error(
      { err, lost: rows.length, refusedTotal: this.refusedTotal, pullIds: rows.slice(0, 20).map((r) => r.id) },
      'history write failed; these finished pulls are not in history',
    );
  }

  private scheduleFlush(): void {
    if (this.pending.size >= FLUSH_BATCH_SIZE) {
      if (this.immediate === undefined) this.immediate = setImmediate(() => this.flushBatch());
      return;
    }
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushBatch(), FLUSH_DELAY_MS);
      // A pending batch must not keep a finished process alive; close() writes it.
      this.timer.unref();
    }
  }

  private cancelScheduledFlush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}
