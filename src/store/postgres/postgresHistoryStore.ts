// Finished pulls in PostgreSQL (`PULLTRACE_DB=postgres://…`), for replicas sharing one history.
// Same rows, filters, cursor pages and bounds as the SQLite store; writes are upserts by pull id, so
// a pull seen by every replica is one row. While PostgreSQL is unreachable finished pulls wait in a
// bounded queue (the oldest dropped and counted past MAX_QUEUED_PULLS) and are written when it is back.
import pg from 'pg';
import { redactPostgresUrl } from '../../common/index.js';
import type { Logger } from '../../log/index.js';
import type { PullStatus } from '../../model/index.js';
import { PULLTRACE_APPLICATION_ID } from '../applicationId.js';
import { HistoryDatabaseError } from '../errors.js';
import type { HistoryFilter } from '../historyFilter.js';
import type { History } from '../historyInterface.js';
import { FLUSH_BATCH_SIZE, FLUSH_DELAY_MS, MAX_RESTORED_PULLS, PRUNE_BATCH_ROWS } from '../historyLimits.js';
import { checkHistoryQuery, type HistoryPage, type PageRow, pageOf } from '../historyPage.js';
import { fromPullRow, historyRowOf, type PullRow } from '../pullRow.js';
import { migratePostgres } from './pgMigrations.js';
import { pgHistoryWhere } from './pgWhere.js';

/** Finished pulls held while PostgreSQL is unreachable; past this the oldest are dropped (and counted). */
export const MAX_QUEUED_PULLS = 10_000;
/** Retry delays after a failed write: doubling from the first to the last. */
export const RETRY_FIRST_MS = 500;
export const RETRY_MAX_MS = 15_000;
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * Page queries at once (of the pool's 4 connections): the rest stay free for writes and pruning,
 * so readers cannot hold finished pulls in the queue.
 */
export const MAX_CONCURRENT_READS = 2;
/** A page query running longer is cancelled by PostgreSQL (a substring filter over a huge table scans it). */
export const READ_TIMEOUT_MS = 10_000;
/** Advisory lock key for pruning (one replica prunes at a time, so row-count bounds are not overshot). */
const PRUNE_LOCK = PULLTRACE_APPLICATION_ID + 1;
const utf8 = new TextEncoder();

export class PostgresHistoryStore implements History {
  readonly kind = 'postgres' as const;
  private readonly pending = new Map<string, PullRow>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<boolean> | undefined;
  private retryDelayMs = RETRY_FIRST_MS;
  private unavailableSince: number | undefined;
  private droppedTotal = 0;
  private refusedTotal = 0;
  private closed = false;
  private backgroundPrune: Promise<void> | undefined;
  private readsRunning = 0;
  private readonly readsWaiting: Array<() => void> = [];

  private constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly maxQueued: number,
  ) {}

  /**
   * Connects, checks and migrates the schema. Throws a HistoryDatabaseError naming the database
   * (never its password) when it cannot be reached or holds a schema this build cannot use.
   */
  static async open(url: string, logger: Logger, options: { maxQueued?: number } = {}): Promise<PostgresHistoryStore> {
    const where = `history database ${redactPostgresUrl(url)}`;
    const child = logger.child({ component: 'history' });
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, idleTimeoutMillis: 30_000 });
    // An idle connection dropped by the server (restart, failover) must not crash the process.
    pool.on('error', (err) => child.debug({ err: err.message }, 'idle history database connection closed'));
    try {
      const client = await pool.connect();
      try {
        const version = await migratePostgres(client, where);
        child.debug({ db: redactPostgresUrl(url), schemaVersion: version }, 'history database open');
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => {});
      throw new HistoryDatabaseError(`cannot open ${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return new PostgresHistoryStore(pool, child, options.maxQueued ?? MAX_QUEUED_PULLS);
  }

  /** Finished pulls dropped from the queue while PostgreSQL was unreachable, since start. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Finished pulls waiting to be written. */
  get queued(): number {
    return this.pending.size;
  }

  queueState(): { queued: number; dropped: number; refused: number } {
    return { queued: this.pending.size, dropped: this.droppedTotal, refused: this.refusedTotal };
  }

  /** Whether the last write reached PostgreSQL. */
  get available(): boolean {
    return this.unavailableSince === undefined;
  }

  enqueue(pull: PullStatus): void {
    const row = historyRowOf(pull, this.closed, this.logger);
    if (!row) return;
    // The latest version of a pull wins; re-inserting moves it to the end (the newest).
    this.pending.delete(row.id);
    this.pending.set(row.id, row);
    this.dropOverflow();
    this.schedule(this.pending.size >= FLUSH_BATCH_SIZE ? 0 : FLUSH_DELAY_MS);
  }

  async flush(): Promise<void> {
    while (this.pending.size > 0 || this.writing) {
      const ok = await this.writeNext();
      if (!ok) return;
    }
  }

  async query(filter: HistoryFilter, limit: number, cursor?: string, withLayers = true): Promise<HistoryPage> {
    const after = checkHistoryQuery(filter, limit, cursor);
    await this.flush();
    const where = pgHistoryWhere(filter, after);
    const layers = withLayers ? 'p.layers' : "'' AS layers";
    const rows = await this.readQuery<PageRow>(
      `SELECT p.id, p.completed_at, p.doc, ${layers}, p.layers_format FROM pulls p ${where.sql} ` +
        `ORDER BY p.completed_at DESC, p.id DESC LIMIT $${where.params.length + 1}`,
      [...where.params, limit + 1],
    );
    return pageOf(rows, limit, withLayers);
  }

  async queryJson(filter: HistoryFilter, limit: number, cursor?: string, withLayers = true): Promise<Uint8Array> {
    return utf8.encode(JSON.stringify(await this.query(filter, limit, cursor, withLayers)));
  }

  async finishedSince(sinceMs: number, limit = MAX_RESTORED_PULLS): Promise<PullStatus[]> {
    await this.flush();
    const result = await this.pool.query<PageRow>(
      'SELECT id, completed_at, doc, layers, layers_format FROM pulls WHERE completed_at >= $1 ORDER BY completed_at DESC, id DESC LIMIT $2',
      [sinceMs, limit],
    );
    if (result.rows.length === limit) {
      this.logger.info({ restored: limit }, 'restoring only the most recent finished pulls into the live view; older ones stay in history');
    }
    return result.rows.reverse().map((r) => fromPullRow(r.doc, r.layers, r.layers_format));
  }

  async prune(olderThanMs: number, maxPulls = Number.POSITIVE_INFINITY): Promise<number> {
    await this.flush();
    let deleted = 0;
    for (;;) {
      const n = await this.pruneBatch(olderThanMs, maxPulls);
      deleted += n;
      if (n === 0) return deleted;
    }
  }

  pruneInBackground(olderThanMs: number, maxPulls = Number.POSITIVE_INFINITY, onDone?: (deleted: number) => void): void {
    if (this.backgroundPrune || this.closed) return;
    this.backgroundPrune = this.prune(olderThanMs, maxPulls)
      .then(
        (deleted) => {
          if (deleted > 0) this.logger.debug({ deleted }, 'history pruned');
          onDone?.(deleted);
        },
        (err) => this.logger.error({ err: messageOf(err) }, 'history prune failed; will try again at the next prune'),
      )
      .finally(() => {
        this.backgroundPrune = undefined;
      });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.backgroundPrune;
    await this.flush();
    if (this.pending.size > 0) {
      this.logger.error({ lost: this.pending.size }, 'history database unreachable at shutdown; queued finished pulls are not in history');
    }
    await this.pool.end();
  }

  /** A read-only query under the read bounds (MAX_CONCURRENT_READS, READ_TIMEOUT_MS). */
  private async readQuery<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    if (this.readsRunning < MAX_CONCURRENT_READS) this.readsRunning++;
    else await new Promise<void>((resolve) => this.readsWaiting.push(resolve));
    try {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN READ ONLY');
        await client.query(`SET LOCAL statement_timeout = ${READ_TIMEOUT_MS}`);
        const result = await client.query<R>(sql, params);
        await client.query('COMMIT');
        client.release();
        return result.rows;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        client.release(err instanceof Error ? err : true);
        throw err;
      }
    } finally {
      // The slot passes straight to the next waiting read, so the count never exceeds the bound.
      const next = this.readsWaiting.shift();
      if (next) next();
      else this.readsRunning--;
    }
  }

  /** One batch, in one transaction, under the prune lock: rows past retention, then the oldest over maxPulls. */
  private async pruneBatch(olderThanMs: number, maxPulls: number): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [PRUNE_LOCK]);
      let n =
        (
          await client.query(
            'DELETE FROM pulls WHERE id IN (SELECT id FROM pulls WHERE completed_at < $1 ORDER BY completed_at, id LIMIT $2)',
            [olderThanMs, PRUNE_BATCH_ROWS],
          )
        ).rowCount ?? 0;
      if (n === 0 && Number.isFinite(maxPulls)) {
        const count = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM pulls')).rows[0]?.n ?? 0);
        if (count > maxPulls) {
          n =
            (
              await client.query('DELETE FROM pulls WHERE id IN (SELECT id FROM pulls ORDER BY completed_at, id LIMIT $1)', [
                Math.min(PRUNE_BATCH_ROWS, count - maxPulls),
              ])
            ).rowCount ?? 0;
        }
      }
      await client.query('COMMIT');
      return n;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  private dropOverflow(): void {
    let over = this.pending.size - this.maxQueued;
    if (over <= 0) return;
    const droppedIds: string[] = [];
    for (const id of this.pending.keys()) {
      if (over-- <= 0) break;
      this.pending.delete(id);
      droppedIds.push(id);
    }
    this.droppedTotal += droppedIds.length;
    this.logger.warn(
      { dropped: droppedIds.length, droppedTotal: this.droppedTotal, pullIds: droppedIds.slice(0, 20), max: this.maxQueued },
      'history queue full while the database is unreachable; oldest finished pulls dropped',
    );
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer !== undefined || this.writing) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeNext();
    }, delayMs);
    // A pending batch must not keep a finished process alive; close() writes it.
    this.timer.unref();
  }

  /** Writes the next batch (or waits for the one in flight); true when it reached the database. */
  private writeNext(): Promise<boolean> {
    if (this.writing) return this.writing;
    if (this.pending.size === 0) return Promise.resolve(true);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const rows: PullRow[] = [];
    for (const row of this.pending.values()) {
      if (rows.length >= FLUSH_BATCH_SIZE) break;
      rows.push(row);
    }
    for (const row of rows) this.pending.delete(row.id);
    this.writing = this.writeRows(rows).then(
      () => {
        this.writing = undefined;
        if (this.unavailableSince !== undefined) {
          this.logger.info(
            { downForMs: Date.now() - this.unavailableSince, queued: this.pending.size, droppedTotal: this.droppedTotal },
            'history database reachable again; writing queued finished pulls',
          );
        }
        this.unavailableSince = undefined;
        this.retryDelayMs = RETRY_FIRST_MS;
        if (this.pending.size > 0) this.schedule(0);
        return true;
      },
      (err) => {
        this.writing = undefined;
        // Put the batch back unless a newer version of a pull arrived meanwhile; upserts make the
        // retry safe even if the failed COMMIT did reach the database.
        const newer = new Map(this.pending);
        this.pending.clear();
        for (const row of rows) if (!newer.has(row.id)) this.pending.set(row.id, row);
        for (const [id, row] of newer) this.pending.set(id, row);
        this.dropOverflow();
        if (this.unavailableSince === undefined) {
          this.unavailableSince = Date.now();
          this.logger.warn(
            { err: messageOf(err), queued: this.pending.size, max: this.maxQueued },
            'history database unreachable; finished pulls are queued and written when it is back',
          );
        }
        if (!this.closed) {
          const delay = this.retryDelayMs;
          this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
          this.schedule(delay);
        }
        return false;
      },
    );
    return this.writing;
  }

  /**
   * Writes a batch. When PostgreSQL refuses the data (not the connection: a NUL character in a
   * text, a value out of range), each row is written alone and those refused are dropped and
   * counted: one malformed pull must neither lose its batch nor be retried forever ahead of the
   * rest. `rows` loses the refused ones, so a connection failure half-way retries only the others.
   */
  private async writeRows(rows: PullRow[]): Promise<void> {
    try {
      await this.writeBatch(rows);
      return;
    } catch (err) {
      if (!isRefusedData(err)) throw err;
    }
    const refused: PullRow[] = [];
    let firstError: unknown;
    for (const row of [...rows]) {
      try {
        await this.writeBatch([row]);
      } catch (err) {
        if (!isRefusedData(err)) {
          this.refuse(refused, firstError);
          throw err;
        }
        refused.push(row);
        rows.splice(rows.indexOf(row), 1);
        firstError ??= err;
      }
    }
    this.refuse(refused, firstError);
  }

  private refuse(rows: PullRow[], err: unknown): void {
    if (rows.length === 0) return;
    this.refusedTotal += rows.length;
    this.logger.error(
      { err: messageOf(err), lost: rows.length, refusedTotal: this.refusedTotal, pullIds: rows.slice(0, 20).map((r) => r.id) },
      'history database refused these finished pulls; they are not in history (the rest of their batch is)',
    );
  }

  private async writeBatch(rows: PullRow[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // One statement per table for the whole batch (arrays unnested), not one round trip per row.
      await client.query(
        `INSERT INTO pulls (id, node_name, image_ref, status, started_at, completed_at, error, manifest_digest, total_bytes, doc, layers, layers_format, cluster, failure_reason)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::bigint[], $10::text[], $11::text[], $12::int[], $13::text[], $14::text[])
         ON CONFLICT (id) DO UPDATE SET
           node_name = excluded.node_name, image_ref = excluded.image_ref, status = excluded.status,
           started_at = excluded.started_at, completed_at = excluded.completed_at, error = excluded.error,
           manifest_digest = excluded.manifest_digest, total_bytes = excluded.total_bytes,
           doc = excluded.doc, layers = excluded.layers, layers_format = excluded.layers_format, cluster = excluded.cluster,
           failure_reason = excluded.failure_reason`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.nodeName),
          rows.map((r) => r.imageRef),
          rows.map((r) => r.status),
          rows.map((r) => r.startedAt),
          rows.map((r) => r.completedAt),
          rows.map((r) => r.error),
          rows.map((r) => r.manifestDigest),
          rows.map((r) => r.totalBytes),
          rows.map((r) => r.doc),
          rows.map((r) => r.layers),
          rows.map((r) => r.layersFormat),
          rows.map((r) => r.cluster),
          rows.map((r) => r.failureReason),
        ],
      );
      await client.query('DELETE FROM pull_pods WHERE pull_id = ANY($1::text[])', [rows.map((r) => r.id)]);
      const pods = rows.flatMap((r) => r.pods.map((p) => [r.id, p.namespace, p.podName] as const));
      if (pods.length > 0) {
        await client.query(
          'INSERT INTO pull_pods (pull_id, namespace, pod_name) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])',
          [pods.map((p) => p[0]), pods.map((p) => p[1]), pods.map((p) => p[2])],
        );
      }
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      // A connection that failed mid-transaction is discarded rather than reused.
      client.release(err instanceof Error ? err : true);
      throw err;
    }
  }
}

/**
 * Whether PostgreSQL refused the data rather than failed: SQLSTATE classes 22 (data exception, e.g.
 * a NUL character in text), 23 (integrity) and 54 (program limit, e.g. a value too large to index).
 */
function isRefusedData(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
