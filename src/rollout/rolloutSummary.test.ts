// Table tests of the rollout summary: counts, percentiles, the rollout ETA and who holds it up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile, type RolloutPull, rolloutBucket, summarizeRollout, summarizeRollouts } from './rolloutSummary.js';

const IMAGE = 'docker.io/library/app:2';

function pull(node: string, status: string, extra: Partial<RolloutPull> = {}): RolloutPull {
  return {
    id: `${node}-id`,
    nodeName: node,
    imageRef: IMAGE,
    status,
    percent: 0,
    bytesPerSec: 0,
    totalBytes: 100,
    downloadedBytes: 0,
    ...extra,
  };
}

test('percentile: nearest rank', () => {
  for (const [list, p, want] of [
    [[], 50, undefined],
    [[7], 50, 7],
    [[7], 95, 7],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4], 95, 4],
    [[...Array(100).keys()].map((i) => i + 1), 95, 95],
    [[...Array(100).keys()].map((i) => i + 1), 50, 50],
  ] as Array<[number[], number, number | undefined]>) {
    assert.equal(percentile(list, p), want, `${p}th of [${list.length} values]`);
  }
});

test('buckets: unpacking and unknown statuses count as pulling', () => {
  for (const [status, want] of [
    ['completed', 'done'],
    ['failed', 'failed'],
    ['stalled', 'stalled'],
    ['pulling', 'pulling'],
    ['unpacking', 'pulling'],
    ['something-new', 'pulling'],
  ]) {
    assert.equal(rolloutBucket(status as string), want, status);
  }
});

test('counts, throughput, bytes and percent of a mixed rollout', () => {
  const s = summarizeRollout(IMAGE, [
    pull('a', 'completed', { percent: 100, downloadedBytes: 100 }),
    pull('b', 'pulling', { bytesPerSec: 10, etaSeconds: 5, downloadedBytes: 50 }),
    pull('c', 'unpacking', { downloadedBytes: 100 }),
    pull('d', 'stalled', { downloadedBytes: 10 }),
    pull('e', 'failed', { error: 'connection reset', failureReason: 'network' }),
  ]);
  assert.deepEqual(
    { pulls: s.pulls, nodes: s.nodes, done: s.done, pulling: s.pulling, stalled: s.stalled, failed: s.failed },
    { pulls: 5, nodes: 5, done: 1, pulling: 2, stalled: 1, failed: 1 },
  );
  assert.equal(s.bytesPerSec, 10);
  assert.equal(s.totalBytes, 500);
  assert.equal(s.downloadedBytes, 260);
  assert.equal(s.percent, 52);
  assert.equal(s.worst, 'failed');
  assert.deepEqual(s.failedPulls, [
    { id: 'e-id', nodeName: 'e', status: 'failed', percent: 0, bytesPerSec: 0, error: 'connection reset', failureReason: 'network' },
  ]);
});

test('p50/p95 over pulls downloading now; none downloading leaves them undefined', () => {
  const speeds = [...Array(20).keys()].map((i) => (i + 1) * 100);
  const s = summarizeRollout(
    IMAGE,
    speeds.map((v, i) => pull(`n${i}`, 'pulling', { bytesPerSec: v, etaSeconds: 10 })),
  );
  assert.equal(s.speedP50, 1000);
  assert.equal(s.speedP95, 1900);
  const idle = summarizeRollout(IMAGE, [pull('a', 'completed', { percent: 100 }), pull('b', 'stalled')]);
  assert.equal(idle.speedP50, undefined);
  assert.equal(idle.speedP95, undefined);
});

test('the rollout ETA is the slowest node’s; unknown ETAs are counted, not hidden', () => {
  const s = summarizeRollout(IMAGE, [
    pull('fast', 'pulling', { bytesPerSec: 1000, etaSeconds: 3 }),
    pull('slow', 'pulling', { bytesPerSec: 10, etaSeconds: 600 }),
    pull('mid', 'pulling', { bytesPerSec: 100, etaSeconds: 60 }),
    pull('stuck', 'stalled'),
    pull('over', 'completed', { percent: 100 }),
  ]);
  assert.equal(s.etaSeconds, 600);
  assert.equal(s.etaPullId, 'slow-id');
  assert.equal(s.etaUnknown, 1);
  assert.deepEqual(
    s.slowest.map((n) => n.nodeName),
    ['stuck', 'slow', 'mid', 'fast'],
  );
});

test('slowest list is limited and ordered on a large rollout (partial selection path)', () => {
  const pulls = [...Array(1000).keys()].map((i) =>
    pull(`node-${String(i).padStart(4, '0')}`, 'pulling', { bytesPerSec: 1000 + i, etaSeconds: 1000 - i }),
  );
  const s = summarizeRollout(IMAGE, pulls, 3);
  assert.deepEqual(
    s.slowest.map((n) => n.nodeName),
    ['node-0000', 'node-0001', 'node-0002'],
  );
  assert.equal(s.etaSeconds, 1000);
  assert.equal(s.pulling, 1000);
});

test('a finished rollout is 100 % with no ETA; an empty total while active is unknown, not 0 %', () => {
  const done = summarizeRollout(IMAGE, [pull('a', 'completed', { totalBytes: 0 })]);
  assert.equal(done.percent, 100);
  assert.equal(done.etaSeconds, undefined);
  const starting = summarizeRollout(IMAGE, [pull('a', 'pulling', { totalBytes: 0 })]);
  assert.equal(starting.percent, undefined);
});

test('garbage numbers never poison the sums', () => {
  const s = summarizeRollout(IMAGE, [
    pull('a', 'pulling', { bytesPerSec: Number.NaN, etaSeconds: Number.POSITIVE_INFINITY, totalBytes: -5 }),
    pull('b', 'pulling', { bytesPerSec: 5, etaSeconds: 2 }),
  ]);
  assert.equal(s.bytesPerSec, 5);
  assert.equal(s.totalBytes, 100);
  assert.equal(s.etaSeconds, 2);
  assert.equal(s.etaUnknown, 1);
});

test('summarizeRollouts groups by image, biggest first', () => {
  const list = summarizeRollouts([
    pull('a', 'pulling', { imageRef: 'x' }),
    pull('b', 'pulling', { imageRef: 'y' }),
    pull('c', 'pulling', { imageRef: 'y' }),
  ]);
  assert.deepEqual(
    list.map((s) => [s.imageRef, s.pulls]),
    [
      ['y', 2],
      ['x', 1],
    ],
  );
});

test('an image whose only pull failed is neither complete nor 100 %', () => {
  const s = summarizeRollout(IMAGE, [pull('a', 'failed', { totalBytes: 0, error: 'not found', failureReason: 'not_found' })]);
  assert.equal(s.percent, undefined);
  assert.equal(s.worst, 'failed');
  assert.equal(s.done, 0);
});
