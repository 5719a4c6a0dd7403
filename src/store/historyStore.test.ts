import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import { capturingLogger, finishedPull, pod, T0 } from './historyFixture.js';
import { HistoryDatabaseError, type HistoryFilter, HistoryStore, InvalidCursorError, InvalidHistoryQueryError } from './index.js';
import { SCHEMA_VERSION } from './migrations.js';

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function openStore(t: TestContext, path: string, logger = capturingLogger().logger): HistoryStore {
  const store = HistoryStore.open(path, logger);
  t.after(() => store.close());
  return store;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Rows in a file database, read through a separate connection (what is really on disk). */
function countRows(path: string, table: 'pulls' | 'pull_pods'): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function allIds(store: HistoryStore, filter: HistoryFilter = {}): string[] {
  return store.query(filter, 500).pulls.map((p) => p.id);
}

test('enqueue does not write to disk; the timer writes the batch shortly after', async (t) => {
  const path = join(tempDir(t), 'history.db');
  const store = openStore(t, path);
  store.enqueue(finishedPull('p1', T0));
  store.enqueue(finishedPull('p2', T0 + 1));
  assert.equal(countRows(path, 'pulls'), 0, 'enqueue returned before anything reached the file');
  await waitFor('the batch to be written by the flush timer', () => countRows(path, 'pulls') === 2);
});

test('a burst is written in batches of at most 200 per turn of the event loop, without waiting for the timer', async (t) => {
  const path = join(tempDir(t), 'history.db');
  const store = openStore(t, path);
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 450; i++) store.enqueue(finishedPull(`p${i}`, T0 + i));
  assert.equal(countRows(path, 'pulls'), 0);
  await nextTurn();
  assert.equal(countRows(path, 'pulls'), 200);
  await nextTurn();
  assert.equal(countRows(path, 'pulls'), 400);
  await waitFor('the last 50 to be written by the flush timer', () => countRows(path, 'pulls') === 450);
  assert.deepEqual(allIds(store).length, 450);
});

test('a pull id is stored once: re-enqueue replaces a pending pull and upserts a written one', (t) => {
  const path = join(tempDir(t), 'history.db');
  const store = openStore(t, path);
  store.enqueue(finishedPull('p1', T0, { status: 'failed', error: 'ingest aborted', pods: [pod('shop', 'web-1')] }));
  store.enqueue(finishedPull('p1', T0, { status: 'failed', error: 'connection reset', pods: [pod('shop', 'web-1')] }));
  store.flush();
  assert.equal(countRows(path, 'pulls'), 1);
  assert.equal(store.query({}, 10).pulls[0]?.error, 'connection reset');

  // kubelet refines the error after the row was written; pods changed too
  store.enqueue(finishedPull('p1', T0, { status: 'failed', error: 'ErrImagePull: 429 Too Many Requests', pods: [pod('blog', 'api-7')] }));
  store.flush();
  assert.equal(countRows(path, 'pulls'), 1);
  assert.equal(countRows(path, 'pull_pods'), 1, 'the old pod rows of the pull are replaced, not added to');
  assert.equal(store.query({}, 10).pulls[0]?.error, 'ErrImagePull: 429 Too Many Requests');
  assert.deepEqual(allIds(store, { pod: 'web-1' }), []);
  assert.deepEqual(allIds(store, { pod: 'api-7' }), ['p1']);
});

test('enqueue snapshots the pull: later changes to the caller object are not stored', (t) => {
  const store = openStore(t, ':memory:');
  const p = finishedPull('p1', T0);
  store.enqueue(p);
  p.imageRef = 'changed';
  p.layers![0]!.downloadedBytes = 1;
  const [back] = store.query({}, 1).pulls;
  assert.equal(back?.imageRef, 'docker.io/library/nginx:1.27');
  assert.equal(back?.layers?.[0]?.downloadedBytes, 1024);
});

test('only completed or failed pulls are recorded; others are logged and ignored', (t) => {
  const { logger, lines } = capturingLogger();
  const store = openStore(t, ':memory:', logger);
  store.enqueue(finishedPull('live', T0, { status: 'pulling', completedAt: null }));
  store.enqueue(finishedPull('stuck', T0, { status: 'stalled', completedAt: null }));
  store.enqueue(finishedPull('ok', T0, { status: 'completed' }));
  store.enqueue(finishedPull('bad', T0 + 1, { status: 'failed', error: 'boom' }));
  assert.deepEqual(allIds(store), ['bad', 'ok']);
  assert.equal(lines.filter((l) => l.level === 'warn' && /only completed or failed/.test(String(l.msg))).length, 2);
});

test('pages walk every row exactly once, newest first, also when many share a completedAt', (t) => {
  const store = openStore(t, ':memory:');
  // 23 pulls in groups of 5 with the same completedAt; ids enqueued in scrambled order
  const pulls = Array.from({ length: 23 }, (_, i) =>
    finishedPull(`pull-${String((i * 7) % 23).padStart(2, '0')}`, T0 + Math.floor(i / 5) * 1000),
  );
  for (const p of pulls) store.enqueue(p);
  const expected = pulls
    .map((p) => ({ id: p.id, at: Date.parse(p.completedAt!) }))
    .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
    .map((p) => p.id);

  for (const limit of [1, 4, 5, 22, 23, 500]) {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = store.query({}, limit, cursor);
      assert.ok(page.pulls.length <= limit);
      seen.push(...page.pulls.map((p) => p.id));
      cursor = page.next ?? undefined;
      pages++;
      assert.ok(pages <= 23, 'pagination terminates');
    } while (cursor);
    assert.deepEqual(seen, expected, `limit ${limit}: every row once, in order`);
    assert.equal(pages, Math.max(1, Math.ceil(23 / limit)), `limit ${limit}: no empty trailing page`);
  }
});

test('a cursor keeps working when newer pulls arrive between pages', (t) => {
  const store = openStore(t, ':memory:');
  for (let i = 0; i < 6; i++) store.enqueue(finishedPull(`p${i}`, T0 + i));
  const first = store.query({}, 3);
  assert.deepEqual(
    first.pulls.map((p) => p.id),
    ['p5', 'p4', 'p3'],
  );
  store.enqueue(finishedPull('p9', T0 + 100));
  const second = store.query({}, 3, first.next!);
  assert.deepEqual(
    second.pulls.map((p) => p.id),
    ['p2', 'p1', 'p0'],
  );
  assert.equal(second.next, null);
});

test('filters: substring, case-insensitive names, exact status, namespace/pod on any pod, since/until inclusive', async (t) => {
  const store = openStore(t, ':memory:');
  store.enqueue(
    finishedPull('a1', T0 + 1000, { nodeName: 'node-a', imageRef: 'docker.io/library/nginx:1.27', pods: [pod('shop', 'web-1')] }),
  );
  store.enqueue(
    finishedPull('a2', T0 + 2000, {
      nodeName: 'node-a',
      imageRef: 'ghcr.io/acme/api:2.0',
      status: 'failed',
      error: 'unauthorized',
      pods: [pod('shop', 'api-1'), pod('blog', 'web-2')],
    }),
  );
  store.enqueue(finishedPull('b1', T0 + 3000, { nodeName: 'node-b', imageRef: 'quay.io/x/redis_50%:7', pods: [] }));
  store.enqueue(
    finishedPull('b2', T0 + 4000, { nodeName: 'node-b', imageRef: 'docker.io/library/nginx:1.26', status: 'failed', error: 'x' }),
  );

  const cases: Array<[string, HistoryFilter, string[]]> = [
    ['no filter', {}, ['b2', 'b1', 'a2', 'a1']],
    ['node', { node: 'node-b' }, ['b2', 'b1']],
    ['node, other case', { node: 'NODE-A' }, ['a2', 'a1']],
    ['node substring', { node: 'de-' }, ['b2', 'b1', 'a2', 'a1']],
    ['image substring', { image: 'nginx' }, ['b2', 'a1']],
    ['image with LIKE wildcards taken literally', { image: '_50%' }, ['b1']],
    ['% alone matches only a literal %', { image: '%' }, ['b1']],
    ['status exact', { status: ['failed'] }, ['b2', 'a2']],
    ['status, several', { status: ['completed', 'failed'] }, ['b2', 'b1', 'a2', 'a1']],
    ['status of no finished pull', { status: ['pulling', 'stalled'] }, []],
    ['status empty set', { status: [] }, []],
    ['namespace', { namespace: 'shop' }, ['a2', 'a1']],
    ['pod', { pod: 'web' }, ['a2', 'a1']],
    ['namespace and pod together', { namespace: 'blog', pod: 'web' }, ['a2']],
    ['namespace and pod each match any pod, as in the live API', { namespace: 'blog', pod: 'api' }, ['a2']],
    ['namespace of no pod', { namespace: 'blog', pod: 'web-1' }, []],
    ['since inclusive', { since: T0 + 3000 }, ['b2', 'b1']],
    ['until inclusive', { until: T0 + 2000 }, ['a2', 'a1']],
    ['since and until', { since: T0 + 2000, until: T0 + 3000 }, ['b1', 'a2']],
    ['combined', { node: 'node-a', status: ['failed'], namespace: 'sho' }, ['a2']],
    ['nothing matches', { node: 'node-z' }, []],
  ];
  for (const [name, filter, want] of cases) {
    await t.test(name, () => assert.deepEqual(allIds(store, filter), want));
  }
});

test('filtered pages walk the matching rows exactly once', (t) => {
  const store = openStore(t, ':memory:');
  for (let i = 0; i < 30; i++)
    store.enqueue(finishedPull(`p${String(i).padStart(2, '0')}`, T0 + (i % 4), { nodeName: i % 3 ? 'node-a' : 'node-b' }));
  const want = allIds(store, { node: 'node-b' });
  assert.equal(want.length, 10);
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = store.query({ node: 'node-b' }, 3, cursor);
    seen.push(...page.pulls.map((p) => p.id));
    cursor = page.next ?? undefined;
  } while (cursor);
  assert.deepEqual(seen, want);
});

test('pulls come back exactly as enqueued, with layers and pods', (t) => {
  const store = openStore(t, ':memory:');
  const p = finishedPull('p1', T0, {
    status: 'failed',
    error: 'EOF',
    manifestDigest: 'sha256:m',
    pods: [pod('shop', 'web-1')],
    etaSeconds: 3,
  });
  store.enqueue(p);
  assert.deepEqual(store.query({}, 1).pulls, [p]);
});

test('bad cursor or limit is a clear error and changes nothing', (t) => {
  const store = openStore(t, ':memory:');
  store.enqueue(finishedPull('p1', T0));
  for (const cursor of ['not-a-cursor', '!!!', Buffer.from('[1]').toString('base64url')]) {
    assert.throws(() => store.query({}, 10, cursor), InvalidCursorError, `cursor ${cursor}`);
  }
  for (const limit of [0, -1, 501, 1.5, Number.NaN]) {
    assert.throws(
      () => store.query({}, limit),
      (err: Error) => err instanceof InvalidHistoryQueryError && /limit/.test(err.message),
    );
  }
  assert.throws(() => store.query({ since: Number.NaN }, 10), InvalidHistoryQueryError);
  assert.deepEqual(allIds(store), ['p1']);
});

test('finishedSince returns pulls finished at or after the time, oldest first, with layers', (t) => {
  const store = openStore(t, ':memory:');
  for (let i = 0; i < 5; i++) store.enqueue(finishedPull(`p${i}`, T0 + i * 1000));
  const back = store.finishedSince(T0 + 2000);
  assert.deepEqual(
    back.map((p) => p.id),
    ['p2', 'p3', 'p4'],
  );
  assert.equal(back[0]?.layers?.length, 2);
  assert.deepEqual(store.finishedSince(T0 + 10_000), []);
});

test('prune deletes rows completed before the time (with their pods) and returns how many', (t) => {
  const path = join(tempDir(t), 'history.db');
  const store = openStore(t, path);
  for (let i = 0; i < 6; i++) store.enqueue(finishedPull(`p${i}`, T0 + i * 1000, { pods: [pod('ns', `pod-${i}`)] }));
  assert.equal(store.prune(T0 + 3000), 3);
  assert.deepEqual(allIds(store), ['p5', 'p4', 'p3']);
  assert.equal(countRows(path, 'pull_pods'), 3, 'pods of pruned pulls are gone too');
  assert.equal(store.prune(T0 + 3000), 0);
});

test('history survives a restart on a file database', (t) => {
  const path = join(tempDir(t), 'nested', 'dirs', 'history.db');
  const first = HistoryStore.open(path, capturingLogger().logger);
  const pulls = [finishedPull('p1', T0, { pods: [pod('shop', 'web-1')] }), finishedPull('p2', T0 + 1, { status: 'failed', error: 'x' })];
  for (const p of pulls) first.enqueue(p);
  first.close(); // close flushes the pending batch
  assert.ok(existsSync(path), 'parent directories were created');

  const second = openStore(t, path);
  assert.deepEqual(second.query({}, 10).pulls, [pulls[1], pulls[0]]);
  assert.deepEqual(allIds(second, { namespace: 'shop' }), ['p1']);
});

test(':memory: keeps nothing on disk', () => {
  const store = HistoryStore.open(':memory:', capturingLogger().logger);
  store.enqueue(finishedPull('p1', T0));
  store.close();
  assert.equal(existsSync(':memory:'), false);
});

test('a file with a newer schema version is refused and left untouched', (t) => {
  const path = join(tempDir(t), 'history.db');
  const store = HistoryStore.open(path, capturingLogger().logger);
  store.enqueue(finishedPull('p1', T0));
  store.close();
  const raw = new Database(path);
  raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();
  const before = sha256(path);
  assert.throws(
    () => HistoryStore.open(path, capturingLogger().logger),
    (err: Error) =>
      err instanceof HistoryDatabaseError && err.message.includes(path) && err.message.includes(`schema version ${SCHEMA_VERSION + 1}`),
  );
  assert.equal(sha256(path), before);
});

for (const [kind, content] of [
  ['a text file', Buffer.from('these are my notes, not a database\n'.repeat(10))],
  ['random bytes', Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 251))],
] as const) {
  test(`${kind} at the path is a clear error and is not overwritten`, (t) => {
    const path = join(tempDir(t), 'history.db');
    writeFileSync(path, content);
    assert.throws(
      () => HistoryStore.open(path, capturingLogger().logger),
      (err: Error) =>
        err instanceof HistoryDatabaseError && err.message.includes(path) && /not a readable SQLite database/.test(err.message),
    );
    assert.deepEqual(readFileSync(path), content);
    assert.equal(existsSync(`${path}-wal`), false);
  });
}

test('a history database with a corrupted header is a clear error and is not overwritten', (t) => {
  const path = join(tempDir(t), 'history.db');
  const store = HistoryStore.open(path, capturingLogger().logger);
  for (let i = 0; i < 50; i++) store.enqueue(finishedPull(`p${i}`, T0 + i));
  store.close();
  const bytes = readFileSync(path);
  bytes.fill(0x41, 0, 100); // the 100-byte SQLite header
  writeFileSync(path, bytes);
  assert.throws(
    () => HistoryStore.open(path, capturingLogger().logger),
    (err: Error) => err instanceof HistoryDatabaseError && err.message.includes(path),
  );
  assert.deepEqual(readFileSync(path), bytes);
});

test('a SQLite database of another application is refused and left untouched', (t) => {
  const path = join(tempDir(t), 'other.db');
  const raw = new Database(path);
  raw.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (9.5)');
  raw.close();
  const before = sha256(path);
  assert.throws(
    () => HistoryStore.open(path, capturingLogger().logger),
    (err: Error) => err instanceof HistoryDatabaseError && err.message.includes(path) && /another application/.test(err.message),
  );
  assert.equal(sha256(path), before);
});

test('a write error is logged, not thrown to the caller', (t) => {
  const path = join(tempDir(t), 'history.db');
  const { logger, lines } = capturingLogger();
  const store = openStore(t, path, logger);
  const other = new Database(path);
  other.exec('DROP TABLE pull_pods; DROP TABLE pulls'); // the file changes under the store
  other.close();
  store.enqueue(finishedPull('p1', T0));
  assert.doesNotThrow(() => store.flush());
  const failure = lines.find((l) => l.level === 'error' && /history write failed/.test(String(l.msg)));
  assert.ok(failure, 'the failed batch is logged');
  assert.equal(failure.lost, 1);
});

test('enqueue after close is logged and ignored', () => {
  const { logger, lines } = capturingLogger();
  const store = HistoryStore.open(':memory:', logger);
  store.close();
  assert.doesNotThrow(() => store.enqueue(finishedPull('p1', T0)));
  assert.ok(lines.some((l) => l.level === 'warn' && /closed/.test(String(l.msg))));
  assert.doesNotThrow(() => store.close(), 'close is idempotent');
});
