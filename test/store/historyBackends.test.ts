// The same history tests on both stores: SQLite (a temp file) and a real PostgreSQL started here
// (Debian's postgresql 15 in a temp dir on a free port, ended by PID). Each test gets a fresh
// database. Then what only PostgreSQL does: two replicas writing one pull once, the schema guard,
// and PostgreSQL stopped and restarted with finished pulls queued meanwhile (nothing lost or doubled).
import assert from 'node:assert/strict';
import { after, before, describe, type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Registry } from 'prom-client';
import type { PullStatus } from '../../src/model/index.js';
import { registerHistoryQueueMetrics } from '../../src/server/metrics/historyQueueMetrics.js';
import { type History, openHistory } from '../../src/store/history.js';
import { capturingLogger, finishedPull, pod, T0 } from '../../src/store/historyFixture.js';
import { HistoryDatabaseError, InvalidCursorError, InvalidHistoryQueryError } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { PG_MIGRATIONS } from '../../src/store/postgres/pgMigrations.js';
import { PostgresHistoryStore } from '../../src/store/postgres/postgresHistoryStore.js';
import { toPullRow } from '../../src/store/pullRow.js';
import { makeTempDir, type PostgresHandle, removeDir, startPostgres, waitFor } from '../kit/index.js';

async function allIds(store: History, filter: Parameters<History['query']>[0] = {}): Promise<string[]> {
  return (await store.query(filter, 500)).pulls.map((p) => p.id);
}

let postgres: PostgresHandle;
let databases = 0;

before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  await postgres?.close();
});

/** A fresh PostgreSQL database on the test server; its URL. */
async function freshPostgresUrl(): Promise<string> {
  const name = `history_${process.pid}_${++databases}`;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return postgres.url.replace(/\/postgres$/, `/${name}`);
}

interface Backend {
  name: 'sqlite' | 'postgres';
  /** a new, empty database (a file path or a URL) */
  freshDb(t: TestContext): Promise<string>;
  /** a new database at schema version 3 (before failure kinds had a column) holding these pulls, as that release wrote them */
  version3Db(t: TestContext, pulls: PullStatus[]): Promise<string>;
}

/** The columns schema version 3 has, in order, for a pull. */
function version3Values(pull: PullStatus): unknown[] {
  const r = toPullRow(pull, T0);
  return [
    r.id,
    r.nodeName,
    r.imageRef,
    r.status,
    r.startedAt,
    r.completedAt,
    r.error,
    r.manifestDigest,
    r.totalBytes,
    r.doc,
    r.layers,
    r.layersFormat,
    r.cluster,
  ];
}
const VERSION3_INSERT =
  'INSERT INTO pulls (id, node_name, image_ref, status, started_at, completed_at, error, manifest_digest, total_bytes, doc, layers, layers_format, cluster) VALUES ';

const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    async freshDb(t) {
      const dir = await makeTempDir('hist');
      t.after(() => removeDir(dir));
      return `${dir}/history.db`;
    },
    async version3Db(t, pulls) {
      const path = await this.freshDb(t);
      const raw = new Database(path);
      for (const step of MIGRATIONS.slice(0, 3)) raw.exec(step.sql);
      raw.pragma('user_version = 3');
      raw.pragma('application_id = 0x504c5452');
      const insert = raw.prepare(`${VERSION3_INSERT}(${Array(13).fill('?').join(', ')})`);
      for (const pull of pulls) insert.run(...version3Values(pull));
      raw.close();
      return path;
    },
  },
  {
    name: 'postgres',
    freshDb: () => freshPostgresUrl(),
    async version3Db(_t, pulls) {
      const url = await freshPostgresUrl();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('CREATE TABLE pulltrace_schema (version INTEGER NOT NULL)');
        await client.query('INSERT INTO pulltrace_schema (version) VALUES (3)');
        for (const step of PG_MIGRATIONS.slice(0, 3)) await client.query(step.sql);
        const placeholders = Array.from({ length: 13 }, (_, i) => `$${i + 1}`).join(', ');
        for (const pull of pulls) await client.query(`${VERSION3_INSERT}(${placeholders})`, version3Values(pull));
      } finally {
        await client.end();
      }
      return url;
    },
  },
];

async function openOn(t: TestContext, db: string, logger = capturingLogger().logger): Promise<History> {
  const store = await openHistory(db, logger);
  t.after(() => store.close());
  return store;
}

for (const backend of BACKENDS) {
  describe(`history on ${backend.name}`, () => {
    test('a pull id is one row: the latest version wins, pods are replaced', async (t) => {
      const store = await openOn(t, await backend.freshDb(t));
      assert.equal(store.kind, backend.name);
      store.enqueue(finishedPull('p1', T0, { status: 'failed', error: 'ingest aborted', pods: [pod('shop', 'web-1')] }));
      store.enqueue(finishedPull('p1', T0, { status: 'failed', error: 'connection reset', pods: [pod('shop', 'web-1')] }));
      await store.flush();
      let page = await store.query({}, 10);
      assert.deepEqual(
        page.pulls.map((p) => [p.id, p.error]),
        [['p1', 'connection reset']],
      );
      store.enqueue(finishedPull('p1', T0, { status: 'failed', error: 'ErrImagePull: 429', pods: [pod('blog', 'api-7')] }));
      page = await store.query({}, 10);
      assert.deepEqual(
        page.pulls.map((p) => [p.id, p.error]),
        [['p1', 'ErrImagePull: 429']],
      );
      assert.deepEqual(await allIds(store, { pod: 'web-1' }), [], 'the old pod rows are replaced, not added to');
      assert.deepEqual(await allIds(store, { pod: 'api-7' }), ['p1']);
    });

    test('one row the database refuses is dropped and counted; the rest of its batch is written', async (t) => {
      const logs = capturingLogger();
      const store = await openOn(t, await backend.freshDb(t), logs.logger);
      // What neither database takes: a NUL character in a text column (PostgreSQL) and a pod name
      // that is no text (SQLite cannot bind an object). A malformed pull reaching history carries such.
      const malformed = finishedPull('bad', T0 + 2, {
        imageRef: 'registry.example.com/app\u0000:1',
        pods: [{ namespace: 'shop', podName: { not: 'text' } } as unknown as ReturnType<typeof pod>],
      });
      store.enqueue(finishedPull('before', T0 + 1));
      store.enqueue(malformed);
      store.enqueue(finishedPull('after', T0 + 3, { pods: [pod('shop', 'web-1')] }));
      await store.flush();
      assert.deepEqual((await allIds(store)).sort(), ['after', 'before']);
      assert.equal(store.queueState().refused, 1);
      assert.equal(store.queueState().queued, 0, 'nothing is left to retry forever');
      const said = logs.lines.filter((l) => Array.isArray(l.pullIds) && (l.pullIds as string[]).includes('bad'));
      assert.deepEqual(
        said.map((l) => l.pullIds),
        [['bad']],
        'said once, naming the refused pull only',
      );
      store.enqueue(finishedPull('later', T0 + 4));
      await store.flush();
      assert.ok((await allIds(store)).includes('later'), 'later batches are written');
    });

    test('two stores on one database (two replicas) write a pull seen by both once', async (t) => {
      const db = await backend.freshDb(t);
      const a = await openOn(t, db);
      const b = await openOn(t, db);
      a.enqueue(finishedPull('shared', T0, { pods: [pod('shop', 'web-1')] }));
      b.enqueue(finishedPull('shared', T0, { pods: [pod('shop', 'web-1')] }));
      await Promise.all([a.flush(), b.flush()]);
      assert.deepEqual(await allIds(a), ['shared']);
      assert.deepEqual(await allIds(b), ['shared']);
      assert.deepEqual(await allIds(a, { namespace: 'shop' }), ['shared'], 'one pod row, not one per replica');
      assert.equal((await a.query({ namespace: 'shop' }, 10)).pulls[0]?.pods.length, 1);
    });

    test('filters: substrings (ASCII case folded, % and _ literal), status sets, time range, pods', async (t) => {
      const store = await openOn(t, await backend.freshDb(t));
      store.enqueue(finishedPull('a', T0, { nodeName: 'worker-1', imageRef: 'ghcr.io/acme/API_server:1', pods: [pod('shop', 'web-1')] }));
      store.enqueue(
        finishedPull('b', T0 + 1000, { nodeName: 'worker-2', imageRef: 'docker.io/library/redis:7', status: 'failed', error: 'x' }),
      );
      store.enqueue(finishedPull('c', T0 + 2000, { nodeName: 'Gpu-1', imageRef: 'registry/app%v2:1', pods: [pod('blog', 'api-7')] }));
      const cases: Array<[Parameters<History['query']>[0], string[]]> = [
        [{}, ['c', 'b', 'a']],
        [{ node: 'worker' }, ['b', 'a']],
        [{ node: 'GPU' }, ['c']],
        [{ image: 'api_server' }, ['a']],
        [{ image: 'redis_7' }, []], // '_' is literal (as a wildcard it would match the ':' of redis:7)
        [{ image: '%v2' }, ['c']],
        [{ image: '%' }, ['c']],
        [{ status: ['failed'] }, ['b']],
        [{ status: ['completed', 'failed'] }, ['c', 'b', 'a']],
        [{ status: [] }, []],
        [{ since: T0 + 1000 }, ['c', 'b']],
        [{ until: T0 + 1000 }, ['b', 'a']],
        [{ since: T0 + 500, until: T0 + 1500 }, ['b']],
        [{ namespace: 'sho' }, ['a']],
        [{ pod: 'api' }, ['c']],
        [{ node: 'worker', status: ['completed'] }, ['a']],
        [{ node: '' }, ['c', 'b', 'a']],
      ];
      for (const [filter, expected] of cases) assert.deepEqual(await allIds(store, filter), expected, JSON.stringify(filter));
    });

    test('cluster filter: exact name; rows without a cluster count as "default"', async (t) => {
      const store = await openOn(t, await backend.freshDb(t));
      store.enqueue(finishedPull('eu', T0, { cluster: 'eu-1' }));
      store.enqueue(finishedPull('us', T0 + 1, { cluster: 'us-1' }));
      store.enqueue(finishedPull('old', T0 + 2));
      assert.deepEqual(await allIds(store, { cluster: 'eu-1' }), ['eu']);
      assert.deepEqual(await allIds(store, { cluster: 'eu' }), [], 'exact, not a substring');
      assert.deepEqual(await allIds(store, { cluster: 'default' }), ['old']);
      assert.deepEqual(await allIds(store, {}), ['old', 'us', 'eu']);
      assert.equal((await store.query({ cluster: 'us-1' }, 1)).pulls[0]?.cluster, 'us-1');
    });

    test('reason filter: failed pulls of any of the given kinds, with the other filters and across pages', async (t) => {
      const store = await openOn(t, await backend.freshDb(t));
      store.enqueue(finishedPull('ok', T0));
      store.enqueue(finishedPull('denied', T0 + 1000, { status: 'failed', error: '401', failureReason: 'auth', nodeName: 'worker-1' }));
      store.enqueue(finishedPull('limited', T0 + 2000, { status: 'failed', error: '429', failureReason: 'rate_limited' }));
      store.enqueue(finishedPull('denied-2', T0 + 3000, { status: 'failed', error: '403', failureReason: 'auth', nodeName: 'worker-2' }));
      // A failed pull whose kind is unknown, and one recorded without any kind (an older release).
      store.enqueue(finishedPull('unknown', T0 + 4000, { status: 'failed', error: '?', failureReason: 'unknown' }));
      store.enqueue(finishedPull('no-kind', T0 + 5000, { status: 'failed', error: '?' }));
      const cases: Array<[Parameters<History['query']>[0], string[]]> = [
        [{ reason: ['auth'] }, ['denied-2', 'denied']],
        [{ reason: ['auth', 'rate_limited'] }, ['denied-2', 'limited', 'denied']],
        [{ reason: ['unknown'] }, ['unknown']],
        [{ reason: ['not_found'] }, []],
        [{ reason: [] }, []],
        [{ reason: ['auth'], node: 'worker-1' }, ['denied']],
        [{ reason: ['auth'], status: ['completed'] }, []],
        [{ reason: ['auth'], since: T0 + 2000 }, ['denied-2']],
        [{}, ['no-kind', 'unknown', 'denied-2', 'limited', 'denied', 'ok']],
      ];
      for (const [filter, expected] of cases) assert.deepEqual(await allIds(store, filter), expected, JSON.stringify(filter));
      // Pages of a reason filter hold only matches and walk each once.
      const first = await store.query({ reason: ['auth', 'rate_limited'] }, 2);
      assert.deepEqual(
        first.pulls.map((p) => p.id),
        ['denied-2', 'limited'],
      );
      assert.ok(first.next);
      const second = await store.query({ reason: ['auth', 'rate_limited'] }, 2, first.next);
      assert.deepEqual(
        second.pulls.map((p) => p.id),
        ['denied'],
      );
      assert.equal(second.next, null);
      // A kind refined later (the same pull id written again) is what the filter sees.
      store.enqueue(finishedPull('limited', T0 + 2000, { status: 'failed', error: 'manifest unknown', failureReason: 'not_found' }));
      assert.deepEqual(await allIds(store, { reason: ['not_found'] }), ['limited']);
      assert.deepEqual(await allIds(store, { reason: ['rate_limited'] }), []);
    });

    test('a database from before the reason column: failed pulls get their kind from the stored JSON', async (t) => {
      const db = await backend.version3Db(t, [
        finishedPull('old-ok', T0),
        finishedPull('old-denied', T0 + 1000, { status: 'failed', error: '401', failureReason: 'auth' }),
        finishedPull('old-no-kind', T0 + 2000, { status: 'failed', error: '?' }),
        // An escaped NUL in the JSON (PostgreSQL's JSON functions refuse it) must not stop the migration.
        finishedPull('old-nul', T0 + 3000, {
          status: 'failed',
          error: 'reset',
          failureReason: 'network',
          pods: [{ ...pod('shop', 'web-1'), container: 'ma\u0000in' }],
        }),
      ]);
      const store = await openOn(t, db);
      assert.deepEqual(await allIds(store, { reason: ['auth'] }), ['old-denied']);
      assert.deepEqual(await allIds(store), ['old-nul', 'old-no-kind', 'old-denied', 'old-ok'], 'every row is kept');
      store.enqueue(finishedPull('new-denied', T0 + 4000, { status: 'failed', error: '403', failureReason: 'auth' }));
      assert.deepEqual(await allIds(store, { reason: ['auth'] }), ['new-denied', 'old-denied']);
    });

    test('cursor pages walk every row once, newest first, ties on completedAt broken by id', async (t) => {
      const store = await openOn(t, await backend.freshDb(t));
      const ids: string[] = [];
      for (let i = 0; i < 23; i++) {
        const id = `p-${String(i).padStart(2, '0')}`;
        ids.push(id);
        // groups of three share a completedAt, so pages split ties
        store.enqueue(finishedPull(id, T0 + Math.floor(i / 3) * 1000));
      }
      const expected = [...ids].sort((x, y) => {
        const dx = Math.floor(Number(x.slice(2)) / 3);
        const dy = Math.floor(Number(y.slice(2)) / 3);
        return dy - dx || (x < y ? 1 : -1);
      });
      const seen: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await store.query({}, 5, cursor);
        seen.push(...page.pulls.map((p) => p.id));
        pageSizes.push(page.pulls.length);
        if (!page.next) break;
        cursor = page.next;
      }
      assert.deepEqual(seen, expected);
      assert.deepEqual(pageSizes, [5, 5, 5, 5, 3]);
      // A filtered walk pages the same way.
      const firstTwo = await store.query({ since: T0 + 6000 }, 2);
      assert.deepEqual(
        firstTwo.pulls.map((p) => p.id),
        expected.slice(0, 2),
      );
    });

    test('bad limits, times and cursors are refused with a reason', async (t) => {
      const store = await openOn(t, await backend.freshDb(t));
      await assert.rejects(store.query({}, 0), InvalidHistoryQueryError);
      await assert.rejects(store.query({}, 501), /limit must be an integer from 1 to 500/);
      await assert.rejects(store.query({ since: Number.NaN }, 10), /since must be a time/);
      await assert.rejects(store.query({}, 10, 'not a cursor!'), InvalidCursorError);
    });

    test('layers come back as written; finishedSince gives the most recent, oldest first', async (t) => {
      const store = await openOn(t, await backend.freshDb(t));
      for (let i = 0; i < 6; i++) store.enqueue(finishedPull(`p${i}`, T0 + i * 1000));
      const [newest] = (await store.query({}, 1)).pulls;
      assert.deepEqual(newest, finishedPull('p5', T0 + 5000));
      const restored = await store.finishedSince(T0 + 1000, 3);
      assert.deepEqual(
        restored.map((p) => p.id),
        ['p3', 'p4', 'p5'],
      );
    });

    test('prune: rows past retention, then the oldest beyond the row limit; their pods go too', async (t) => {
      const store = await openOn(t, await backend.freshDb(t));
      for (let i = 0; i < 10; i++) store.enqueue(finishedPull(`p${i}`, T0 + i * 1000, { pods: [pod('ns', `pod-${i}`)] }));
      assert.equal(await store.prune(T0 + 2000), 2);
      assert.deepEqual((await allIds(store)).length, 8);
      assert.equal(await store.prune(T0, 5), 3);
      assert.deepEqual(await allIds(store), ['p9', 'p8', 'p7', 'p6', 'p5']);
      assert.deepEqual(await allIds(store, { pod: 'pod-1' }), []);
      assert.equal(await store.prune(T0, 5), 0);
      const done = new Promise<number>((resolve) => store.pruneInBackground(T0 + 7000, Number.POSITIVE_INFINITY, resolve));
      assert.equal(await done, 2);
      assert.deepEqual(await allIds(store), ['p9', 'p8', 'p7']);
    });

    test('reopening keeps the rows and migrates nothing twice', async (t) => {
      const db = await backend.freshDb(t);
      const first = await openHistory(db, capturingLogger().logger);
      first.enqueue(finishedPull('kept', T0));
      await first.close();
      const second = await openOn(t, db);
      assert.deepEqual(await allIds(second), ['kept']);
    });
  });
}

describe('history on postgres only', () => {
  test('a newer schema and a foreign "pulls" table are refused, nothing changed; the password is not shown', async () => {
    const url = await freshPostgresUrl();
    const first = await openHistory(url, capturingLogger().logger);
    await first.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('UPDATE pulltrace_schema SET version = 99');
      await assert.rejects(openHistory(url, capturingLogger().logger), (err: Error) => {
        assert.ok(err instanceof HistoryDatabaseError);
        assert.match(err.message, /schema version 99, newer than this pulltrace knows/);
        return true;
      });
      const foreignUrl = await freshPostgresUrl();
      const foreign = new pg.Client({ connectionString: foreignUrl });
      await foreign.connect();
      await foreign.query('CREATE TABLE pulls (x int)');
      await foreign.end();
      await assert.rejects(openHistory(foreignUrl, capturingLogger().logger), /"pulls" table that Pulltrace did not create/);
    } finally {
      await client.end();
    }
    const withPassword = postgres.url.replace('pulltrace@', 'pulltrace:s3cret@').replace(String(postgres.port), '1');
    await assert.rejects(openHistory(withPassword, capturingLogger().logger), (err: Error) => {
      assert.ok(err instanceof HistoryDatabaseError);
      assert.ok(!err.message.includes('s3cret'), err.message);
      assert.match(err.message, /postgres:\/\/\*\*\*@127\.0\.0\.1:1/, 'the whole userinfo is masked');
      return true;
    });
  });

  test('PostgreSQL stopped and restarted: finished pulls queued meanwhile are written once, nothing lost or doubled', async (t) => {
    const url = await freshPostgresUrl();
    const { logger, lines } = capturingLogger();
    const store = await PostgresHistoryStore.open(url, logger, { maxQueued: 50 });
    t.after(() => store.close());
    // The server's metrics of this queue, read from the store as a scrape would.
    const registry = new Registry();
    registerHistoryQueueMetrics(registry, store);
    const metric = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values[0]?.value;
    store.enqueue(finishedPull('before', T0, { pods: [pod('shop', 'web-1')] }));
    await store.flush();

    await postgres.stop();
    try {
      for (let i = 0; i < 5; i++) store.enqueue(finishedPull(`during-${i}`, T0 + 1000 + i));
      // Written before the outage, seen again (kubelet refines it): still one row afterwards.
      store.enqueue(finishedPull('before', T0, { error: 'refined', status: 'failed', pods: [pod('shop', 'web-1')] }));
      await store.flush();
      assert.equal(store.available, false);
      assert.equal(store.queued, 6);
      assert.equal(await metric('pulltrace_history_queue_pulls'), 6);
      assert.equal(await metric('pulltrace_history_queue_dropped_total'), 0);
      await assert.rejects(store.query({}, 10), 'reads fail while the database is away');
      const warnings = lines.filter((l) => l.msg === 'history database unreachable; finished pulls are queued and written when it is back');
      assert.equal(warnings.length, 1, 'said once');
      // More than the queue holds: the oldest are dropped and counted.
      for (let i = 0; i < 50; i++) store.enqueue(finishedPull(`burst-${i}`, T0 + 2000 + i));
      assert.equal(store.queued, 50);
      assert.equal(store.dropped, 6);
      assert.equal(await metric('pulltrace_history_queue_pulls'), 50);
      assert.equal(await metric('pulltrace_history_queue_dropped_total'), 6);
    } finally {
      await postgres.start();
    }
    await waitFor(async () => store.available && store.queued === 0, {
      timeoutMs: 40_000,
      what: 'the queued pulls to be written after PostgreSQL came back',
    });
    const ids = await allIds(store);
    assert.equal(ids.length, 51, 'the row written before, plus the 50 kept in the queue');
    assert.equal(await metric('pulltrace_history_queue_pulls'), 0, 'the queue gauge back to 0');
    assert.equal(await metric('pulltrace_history_queue_dropped_total'), 6, 'the dropped count stays');
    assert.equal(new Set(ids).size, ids.length, 'no id twice');
    assert.ok(ids.includes('before'));
    assert.deepEqual(ids.filter((id) => id.startsWith('burst-')).length, 50);
    assert.ok(lines.some((l) => l.msg === 'history database reachable again; writing queued finished pulls'));
    assert.equal((await store.query({ pod: 'web-1' }, 10)).pulls.length, 1);
  });
});
