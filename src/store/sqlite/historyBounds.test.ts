// History stays bounded: by age and by row count (oldest deleted in batches), with compact layer
// rows, and a capped restore. Real SQLite files.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import { createLogger } from '../../log/index.js';
import type { PullStatus } from '../../model/index.js';
import { PULLTRACE_APPLICATION_ID } from '../applicationId.js';
import { LAYERS_FORMAT_COMPACT, LAYERS_FORMAT_FULL } from '../compactLayers.js';
import { MAX_RESTORED_PULLS, PRUNE_BATCH_ROWS } from '../historyLimits.js';
import { HistoryStore } from './historyStore.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

const T0 = Date.parse('2026-11-27T10:00:00.000Z');

function finishedPull(id: string, completedAtMs: number, layerCount = 3): PullStatus {
  return {
    id,
    nodeName: 'node-a',
    imageRef: 'registry.example.com/app:1',
    status: 'completed',
    totalBytes: 3000,
    downloadedBytes: 3000,
    cachedBytes: 0,
    bytesPerSec: 0,
    percent: 100,
    layerCount,
    layersDone: layerCount,
    startedAt: new Date(completedAtMs - 5000).toISOString(),
    completedAt: new Date(completedAtMs).toISOString(),
    pods: [{ namespace: 'ns', podName: `pod-${id}`, container: 'main', image: 'app:1' }],
    totalKnown: true,
    layers: Array.from({ length: layerCount }, (_, i) => ({
      pullId: id,
      digest: `sha256:${i.toString(16).padStart(64, '0')}`,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      totalBytes: 1000,
      downloadedBytes: 1000,
      bytesPerSec: 0,
      percent: 100,
      startedAt: new Date(completedAtMs - 4000).toISOString(),
      completedAt: new Date(completedAtMs - 1000).toISOString(),
      totalKnown: true,
      state: 'done' as const,
    })),
  };
}

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  return { logger: createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line)) }), lines };
}

function tempPath(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-bounds-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'history.db');
}

function openStore(t: TestContext, path: string, logger = capturingLogger().logger): HistoryStore {
  const store = HistoryStore.open(path, logger);
  t.after(() => store.close());
  return store;
}

function count(path: string, sql: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

const ids = (store: HistoryStore) => store.query({}, 500).pulls.map((p) => p.id);

test('rows over the maximum count are deleted oldest first, in batches, with their pods', (t) => {
  const path = tempPath(t);
  const store = openStore(t, path);
  const n = PRUNE_BATCH_ROWS * 2 + 500;
  for (let i = 0; i < n; i++) store.enqueue(finishedPull(`p${i}`, T0 + i));
  store.flush();
  assert.equal(store.size, n);

  // One batch per call when asked: the work of one call is bounded.
  assert.equal(store.prune(0, 100, 1), PRUNE_BATCH_ROWS);
  assert.equal(store.size, n - PRUNE_BATCH_ROWS);
  assert.equal(store.prune(0, 100), n - PRUNE_BATCH_ROWS - 100);
  assert.equal(store.size, 100);
  assert.equal(count(path, 'SELECT count(*) FROM pulls'), 100);
  assert.equal(count(path, 'SELECT count(*) FROM pull_pods'), 100, 'pods of deleted pulls went with them');
  const kept = ids(store);
  assert.equal(kept[0], `p${n - 1}`, 'the newest is kept');
  assert.equal(kept.at(-1), `p${n - 100}`, 'the 100 newest are kept');
  assert.equal(store.prune(0, 100), 0);
});

test('age is pruned first, then the count; upserts do not count twice; the count survives a reopen', (t) => {
  const path = tempPath(t);
  const first = HistoryStore.open(path, capturingLogger().logger);
  for (let i = 0; i < 10; i++) first.enqueue(finishedPull(`p${i}`, T0 + i * 1000));
  first.flush();
  first.enqueue({ ...finishedPull('p9', T0 + 9000), status: 'failed', error: 'refined later' });
  first.flush();
  assert.equal(first.size, 10);
  first.close();

  const store = openStore(t, path);
  assert.equal(store.size, 10);
  // p0..p2 are past the retention; of the 7 left, the 5 newest are kept.
  assert.equal(store.prune(T0 + 3000, 5), 5);
  assert.deepEqual(ids(store), ['p9', 'p8', 'p7', 'p6', 'p5']);
});

test('pruning in the background deletes one batch per turn of the event loop', async (t) => {
  const store = openStore(t, tempPath(t));
  const n = PRUNE_BATCH_ROWS * 3;
  for (let i = 0; i < n; i++) store.enqueue(finishedPull(`p${i}`, T0 + i, 1));
  store.flush();
  const done = new Promise<number>((resolve) => store.pruneInBackground(0, 10, resolve));
  assert.equal(store.size, n, 'nothing deleted before the event loop turns');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(store.size, n - PRUNE_BATCH_ROWS, 'one batch per turn');
  assert.equal(await done, n - 10);
  assert.equal(store.size, 10);
});

test('layers are stored compactly: far fewer bytes per row, read back identical', (t) => {
  const path = tempPath(t);
  const store = openStore(t, path);
  const pull = finishedPull('p1', T0, 20);
  store.enqueue(pull);
  store.flush();
  assert.equal(count(path, 'SELECT layers_format FROM pulls'), LAYERS_FORMAT_COMPACT);
  const stored = count(path, 'SELECT length(layers) FROM pulls');
  const full = JSON.stringify(pull.layers).length;
  assert.ok(stored < full * 0.5, `stored ${stored} bytes for layers that are ${full} bytes as LayerStatus JSON`);
  assert.deepEqual(store.query({}, 1).pulls[0], pull);
});

test('a file written before the compact format is migrated and its rows still read', (t) => {
  const path = tempPath(t);
  // A version-1 file with a row as version 1 wrote it (layers as a LayerStatus JSON array).
  const old = finishedPull('old', T0);
  const raw = new Database(path);
  raw.exec(MIGRATIONS[0]!.sql);
  raw.pragma('user_version = 1');
  raw.pragma(`application_id = ${PULLTRACE_APPLICATION_ID}`);
  const { layers, ...summary } = old;
  raw
    .prepare(
      `INSERT INTO pulls (id, node_name, image_ref, status, started_at, completed_at, error, manifest_digest, total_bytes, doc, layers)
       VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)`,
    )
    .run(old.id, old.nodeName, old.imageRef, old.status, T0 - 5000, T0, old.totalBytes, JSON.stringify(summary), JSON.stringify(layers));
  raw.close();

  const store = openStore(t, path);
  assert.equal(count(path, 'PRAGMA user_version'), SCHEMA_VERSION);
  assert.equal(count(path, "SELECT layers_format FROM pulls WHERE id = 'old'"), LAYERS_FORMAT_FULL);
  const fresh = finishedPull('new', T0 + 1);
  store.enqueue(fresh);
  assert.deepEqual(store.query({}, 10).pulls, [fresh, old]);
  assert.deepEqual(
    store.finishedSince(0).map((p) => p.id),
    ['old', 'new'],
  );
  assert.equal(store.size, 2);
});

test('start-up restore is capped to the most recent finished pulls, oldest first', (t) => {
  const { logger, lines } = capturingLogger();
  const store = openStore(t, ':memory:', logger);
  for (let i = 0; i < 30; i++) store.enqueue(finishedPull(`p${i}`, T0 + i * 1000));
  const back = store.finishedSince(T0, 10);
  assert.deepEqual(
    back.map((p) => p.id),
    Array.from({ length: 10 }, (_, i) => `p${20 + i}`),
  );
  assert.ok(lines.some((l) => /restoring only the most recent/.test(String(l.msg)) && l.restored === 10));
  assert.equal(store.finishedSince(T0 + 25_000).length, 5, 'under the cap: everything since the time');
  assert.ok(MAX_RESTORED_PULLS >= 1000);
});
