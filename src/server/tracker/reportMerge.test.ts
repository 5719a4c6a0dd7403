import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerState, ReportLayer } from '../../model/index.js';
import { emptyTotals, type LayerRecord, newLayer, type PullRecord } from './pullRecord.js';
import { RateWindow } from './rateWindow.js';
import type { ReportGroup } from './reportGrouping.js';
import { betterName, mergeReportGroup, nextLayerState } from './reportMerge.js';

function rec(imageRef = 'sha256:m'): PullRecord {
  return {
    id: 'p1',
    key: 'sha256:m',
    nodeName: 'w1',
    imageRef,
    status: 'pulling',
    startedAt: 0,
    totalKnown: true,
    layers: new Map(),
    totals: emptyTotals(),
    rate: new RateWindow(),
    downloadedHighWater: 0,
    percent: 0,
    lastProgressAt: 0,
    pods: [],
  };
}
function group(layers: ReportLayer[], imageRef = '127.0.0.1/app:1'): ReportGroup {
  return { key: 'sha256:m', imageRef, manifestDigest: 'sha256:m', status: 'pulling', totalKnown: true, layers, firstIndex: 0 };
}
const rl = (digest: string, total: number, down: number, state?: LayerState): ReportLayer => ({
  digest,
  totalBytes: total,
  downloadedBytes: down,
  totalKnown: true,
  ...(state ? { state } : {}),
});

test('betterName: a real name beats a placeholder; a tag beats a bare repository', () => {
  const table: Array<[string, string, boolean]> = [
    ['nginx:1.27', 'sha256:abc', true],
    ['nginx:1.27', '', true],
    ['nginx:1.27', 'layer-sha256:abc', true],
    ['sha256:abc', 'nginx:1.27', false],
    ['layer-sha256:abc', 'nginx', false],
    ['nginx:1.27', 'nginx', true],
    ['nginx', 'nginx:1.27', false],
    ['nginx@sha256:abc', 'nginx', true],
    ['nginx', 'other', true],
  ];
  for (const [candidate, current, want] of table) assert.equal(betterName(candidate, current), want, `${candidate} over ${current}`);
});

test('nextLayerState: the agent says, else the bytes tell; never back from done', () => {
  const l = (state: LayerState, total: number, down: number): LayerRecord => ({
    ...newLayer('d'),
    state,
    totalBytes: total,
    downloadedBytes: down,
    totalKnown: true,
  });
  const table: Array<[LayerRecord, ReportLayer, LayerState]> = [
    [l('done', 10, 10), rl('d', 10, 0, 'downloading'), 'done'],
    [l('waiting', 10, 0), rl('d', 10, 0, 'cached'), 'cached'],
    [l('downloading', 10, 5), rl('d', 10, 5, 'waiting'), 'downloading'],
    [l('waiting', 10, 10), rl('d', 10, 10), 'done'],
    [l('waiting', 10, 3), rl('d', 10, 3), 'downloading'],
    [l('waiting', 10, 0), rl('d', 10, 0), 'waiting'],
  ];
  for (const [layer, reported, want] of table)
    assert.equal(nextLayerState(layer, reported), want, `${layer.state} + ${JSON.stringify(reported)}`);
});

test('mergeReportGroup: transitions per layer, bytes never decrease, a report is the full list', () => {
  const r = rec();
  const first = mergeReportGroup(r, group([rl('a', 100, 0, 'waiting'), rl('b', 50, 10)]), 1000);
  assert.equal(r.imageRef, '127.0.0.1/app:1', 'the placeholder name gave way');
  assert.deepEqual(
    first.transitions.map((t) => [t.type, t.layer.digest]),
    [['layer.started', 'b']],
  );
  assert.equal(first.changed, true);

  const second = mergeReportGroup(r, group([rl('a', 100, 30), rl('b', 50, 5)]), 2000);
  assert.deepEqual(
    second.transitions.map((t) => [t.type, t.layer.digest]),
    [['layer.started', 'a']],
  );
  assert.equal(r.layers.get('b')?.downloadedBytes, 10, 'a report going backwards does not lower the bytes');

  const third = mergeReportGroup(r, group([rl('a', 100, 100), rl('b', 50, 20)]), 3000);
  assert.deepEqual(
    third.transitions.map((t) => [t.type, t.layer.digest]),
    [
      ['layer.completed', 'a'],
      ['layer.progress', 'b'],
    ],
  );
  assert.deepEqual([r.totals.downloadedBytes, r.totals.layersDone], [120, 1]);

  const same = mergeReportGroup(r, group([rl('a', 100, 100), rl('b', 50, 20)]), 4000);
  assert.deepEqual([same.changed, same.transitions.length], [false, 0], 'the same report again changes nothing');

  const dropped = mergeReportGroup(r, group([rl('a', 100, 100)]), 5000);
  assert.equal(dropped.changed, true);
  assert.deepEqual([...r.layers.keys()], ['a'], 'the layers are those of the latest report');
});
