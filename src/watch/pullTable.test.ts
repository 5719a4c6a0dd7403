import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PullTable, type WatchedPull } from './pullTable.js';

const NO_FILTERS = { node: '', image: '', namespace: '', pod: '', status: '' };

function pull(id: string, status: string, extra: Partial<WatchedPull> = {}): WatchedPull {
  return {
    id,
    nodeName: `node-${id}`,
    imageRef: 'docker.io/library/app:1',
    status,
    totalBytes: 100,
    downloadedBytes: 0,
    cachedBytes: 0,
    bytesPerSec: 0,
    percent: 0,
    layerCount: 1,
    layersDone: 0,
    startedAt: '2026-01-01T00:00:00Z',
    pods: [],
    totalKnown: true,
    ...extra,
  };
}

const event = (type: string, p: WatchedPull) => ({
  schemaVersion: 'v1',
  timestamp: '2026-01-01T00:00:01Z',
  type,
  nodeName: p.nodeName,
  pull: p,
});

test('a pull event without layers keeps the layer list already fetched; layer events update it', () => {
  const table = new PullTable();
  const layer = {
    pullId: 'a',
    digest: 'sha256:1',
    mediaType: 'x',
    totalBytes: 10,
    downloadedBytes: 1,
    bytesPerSec: 0,
    percent: 10,
    totalKnown: true,
    state: 'downloading' as const,
  };
  table.put(pull('a', 'pulling', { layers: [layer] }));
  table.apply(event('pull.progress', pull('a', 'pulling', { percent: 20 })));
  assert.equal(table.pulls.get('a')?.layers?.length, 1);
  table.apply({ type: 'layer.progress', layer: { ...layer, percent: 60 } });
  assert.equal(table.pulls.get('a')?.layers?.[0]?.percent, 60);
});

test('events with no usable pull change nothing', () => {
  const table = new PullTable();
  assert.equal(table.apply({ type: 'pull.progress' }), undefined);
  assert.equal(table.apply({ type: 'pull.progress', pull: { nope: 1 } }), undefined);
  assert.equal(table.pulls.size, 0);
});

test('matching: filters and free text', () => {
  const table = new PullTable();
  table.put(pull('a', 'pulling', { pods: [{ namespace: 'shop', podName: 'web-1', container: 'c', image: 'i' }] }));
  table.put(pull('b', 'failed', { imageRef: 'docker.io/library/db:2' }));
  assert.deepEqual(
    table.matching({ ...NO_FILTERS, namespace: 'SHO' }).map((p) => p.id),
    ['a'],
  );
  assert.deepEqual(
    table.matching(NO_FILTERS, 'db:').map((p) => p.id),
    ['b'],
  );
  assert.deepEqual(
    table.matching(NO_FILTERS, 'web-').map((p) => p.id),
    ['a'],
  );
  assert.deepEqual(
    table.matching({ ...NO_FILTERS, status: 'failed' }).map((p) => p.id),
    ['b'],
  );
});

test('matching: --cluster is exact; a pull without a cluster is in "default"', () => {
  const table = new PullTable();
  table.put(pull('eu', 'pulling', { cluster: 'eu-1' }));
  table.put(pull('old', 'pulling'));
  assert.deepEqual(
    table.matching({ ...NO_FILTERS, cluster: 'eu-1' }).map((p) => p.id),
    ['eu'],
  );
  assert.deepEqual(
    table.matching({ ...NO_FILTERS, cluster: 'eu' }).map((p) => p.id),
    [],
  );
  assert.deepEqual(
    table.matching({ ...NO_FILTERS, cluster: 'default' }).map((p) => p.id),
    ['old'],
  );
});

test('around a reconnect a finished pull does not go back to pulling, nor bytes backwards; pull.resumed may reopen it', () => {
  const table = new PullTable();
  table.put(pull('a', 'pulling', { downloadedBytes: 40 }));
  table.apply(event('pull.completed', pull('a', 'completed', { downloadedBytes: 100, percent: 100 })));
  // an older snapshot refetched after the reconnect
  table.put(pull('a', 'pulling', { downloadedBytes: 60 }));
  assert.equal(table.pulls.get('a')?.status, 'completed');
  table.put(pull('b', 'pulling', { downloadedBytes: 50 }));
  table.put(pull('b', 'pulling', { downloadedBytes: 30 }));
  assert.equal(table.pulls.get('b')?.downloadedBytes, 50);
  table.apply(event('pull.failed', pull('c', 'failed')));
  table.apply(event('pull.resumed', pull('c', 'pulling', { downloadedBytes: 5 })));
  assert.equal(table.pulls.get('c')?.status, 'pulling');
});
