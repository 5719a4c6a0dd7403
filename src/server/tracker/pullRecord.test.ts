import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerState, PullState } from '../../model/index.js';
import {
  clampBytes,
  compactFinished,
  emptyTotals,
  type LayerRecord,
  newLayer,
  type PullRecord,
  percentOf,
  pullStatus,
  pullTotals,
  recordFromStatus,
  refreshTotals,
  resumeRates,
} from './pullRecord.js';
import { RateWindow, STOPPED_RATE } from './rateWindow.js';

const CONFIG = 'application/vnd.oci.image.config.v1+json';
const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

function layer(digest: string, state: LayerState, total: number, down: number, mediaType = GZIP): LayerRecord {
  return { ...newLayer(digest), mediaType, state, totalBytes: total, downloadedBytes: down, totalKnown: true };
}
function record(layers: LayerRecord[], status: PullState = 'pulling'): PullRecord {
  const rec: PullRecord = {
    id: 'p1',
    key: 'sha256:m',
    nodeName: 'w1',
    imageRef: 'docker.io/library/app:1',
    status,
    startedAt: Date.parse('2026-11-28T10:00:00Z'),
    totalKnown: true,
    layers: new Map(layers.map((l) => [l.digest, l])),
    totals: emptyTotals(),
    rate: new RateWindow(),
    downloadedHighWater: 0,
    percent: 0,
    lastProgressAt: 0,
    pods: [],
  };
  refreshTotals(rec);
  return rec;
}

test('pullTotals: cached apart, shared counted once its owner has it, the config is bytes but not a layer', () => {
  const table: Array<{ what: string; layers: LayerRecord[]; want: ReturnType<typeof emptyTotals> }> = [
    { what: 'nothing', layers: [], want: emptyTotals() },
    {
      what: 'downloading and done',
      layers: [layer('a', 'downloading', 100, 40), layer('b', 'done', 50, 50)],
      want: { totalBytes: 150, downloadedBytes: 90, cachedBytes: 0, layerCount: 2, layersDone: 1 },
    },
    {
      what: 'cached: done, not in the totals',
      layers: [layer('a', 'cached', 500, 500), layer('b', 'waiting', 50, 0)],
      want: { totalBytes: 50, downloadedBytes: 0, cachedBytes: 500, layerCount: 2, layersDone: 1 },
    },
    {
      what: 'shared: in the totals, done once complete',
      layers: [layer('a', 'shared', 100, 100), layer('b', 'shared', 100, 30)],
      want: { totalBytes: 200, downloadedBytes: 130, cachedBytes: 0, layerCount: 2, layersDone: 1 },
    },
    {
      what: 'config blob',
      layers: [layer('c', 'done', 7, 7, CONFIG), layer('a', 'downloading', 100, 10)],
      want: { totalBytes: 107, downloadedBytes: 17, cachedBytes: 0, layerCount: 1, layersDone: 0 },
    },
  ];
  for (const row of table) assert.deepEqual(pullTotals(record(row.layers)), row.want, row.what);
});

test('percentOf: one decimal, rounded down, 0 without a total', () => {
  const table: Array<[number, number, number]> = [
    [0, 0, 0],
    [100, 0, 0],
    [3, 1, 33.3],
    [3, 2, 66.6],
    [100, 100, 100],
    [100, 250, 100],
    [Number.POSITIVE_INFINITY, 1, 0],
  ];
  for (const [total, down, want] of table) {
    assert.equal(percentOf({ ...emptyTotals(), totalBytes: total, downloadedBytes: down }), want, `${down}/${total}`);
  }
});

test('clampBytes', () => {
  assert.equal(clampBytes(-5), 0);
  assert.equal(clampBytes(Number.NaN), 0);
  assert.equal(clampBytes(2 ** 60), Number.MAX_SAFE_INTEGER);
});

test('pullStatus: fields by state (failureReason only when failed, slow only while unfinished, no speed once finished)', () => {
  const now = Date.parse('2026-11-28T10:00:10Z');
  const failed = record([layer('a', 'downloading', 100, 40)], 'failed');
  failed.error = 'boom';
  failed.completedAt = now;
  const s = pullStatus(failed, now, false);
  assert.equal(s.failureReason, 'unknown');
  assert.equal(s.slow, undefined);
  assert.equal(s.bytesPerSec, 0);
  assert.equal(s.layers, undefined);
  assert.equal(s.completedAt, '2026-11-28T10:00:10.000Z');
  const pulling = pullStatus(record([layer('a', 'downloading', 100, 40)]), now, true);
  assert.equal(pulling.failureReason, undefined);
  assert.equal(pulling.slow, false);
  assert.equal(pulling.layers?.length, 1);
});

test('recordFromStatus: a stored pull comes back with the same figures', () => {
  const now = Date.parse('2026-11-28T10:00:10Z');
  const rec = record([layer('a', 'done', 100, 100), layer('b', 'cached', 30, 30)], 'completed');
  rec.completedAt = now;
  rec.kubeletPullSeconds = 1.5;
  const stored = pullStatus(rec, now, true);
  const back = pullStatus(recordFromStatus(stored, now), now, true);
  assert.deepEqual(back, stored);
});

test('a finished pull in compact form: the same status served, no rate samples kept; resumed, rates again', () => {
  const a = layer('sha256:a', 'done', 100, 100);
  const b = layer('sha256:b', 'done', 50, 50);
  a.rate.add(0, 0);
  a.rate.add(1000, 100);
  const rec = record([a, b], 'completed');
  rec.completedAt = 2000;
  refreshTotals(rec);
  const before = JSON.stringify(pullStatus(rec, 3000, true));
  compactFinished(rec);
  assert.equal(JSON.stringify(pullStatus(rec, 3000, true)), before);
  assert.equal(a.shown, undefined, 'serving a finished pull caches nothing on it');
  assert.equal(rec.rate, STOPPED_RATE);
  for (const l of rec.layers.values()) {
    assert.equal(l.rate, STOPPED_RATE);
    assert.equal(l.shown, undefined);
  }
  STOPPED_RATE.add(5000, 1e9);
  assert.equal(STOPPED_RATE.rate(5000), 0, 'the shared instance keeps nothing');
  resumeRates(rec);
  assert.notEqual(rec.rate, STOPPED_RATE);
  for (const l of rec.layers.values()) assert.notEqual(l.rate, STOPPED_RATE);
  rec.rate.add(6000, 0);
  rec.rate.add(7000, 500);
  assert.equal(rec.rate.rate(7000), 500);
});
