import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupByImage } from '../../../web/src/state/imageGroups.js';
import { pushSample, sparklinePoints } from '../../../web/src/state/sparkline.js';
import { summarize } from '../../../web/src/state/summary.js';
import { pull } from './fixtures.js';

test('summarize counts active (stalled included), stalled, failed and live throughput', () => {
  const summary = summarize([
    pull({ id: '1', status: 'pulling', bytesPerSec: 100 }),
    pull({ id: '2', status: 'stalled', bytesPerSec: 0 }),
    pull({ id: '3', status: 'failed', bytesPerSec: 50 }),
    pull({ id: '4', status: 'completed', bytesPerSec: 70 }),
  ]);
  assert.deepEqual(summary, { active: 2, stalled: 1, failed: 1, completed: 1, bytesPerSec: 100 });
});

test('groupByImage aggregates one image across nodes, biggest rollout first', () => {
  const groups = groupByImage([
    pull({ id: '1', imageRef: 'app:v2', nodeName: 'n2', totalBytes: 100, downloadedBytes: 50, bytesPerSec: 10 }),
    pull({ id: '2', imageRef: 'app:v2', nodeName: 'n1', totalBytes: 100, downloadedBytes: 100, status: 'completed', bytesPerSec: 0 }),
    pull({ id: '3', imageRef: 'db:1', nodeName: 'n1', totalBytes: 10, downloadedBytes: 1, bytesPerSec: 3 }),
  ]);
  assert.deepEqual(
    groups.map((g) => [g.imageRef, g.nodes, g.downloadedBytes, g.totalBytes, g.bytesPerSec, g.percent, g.active, g.completed]),
    [
      ['app:v2', 2, 150, 200, 10, 75, 1, 1],
      ['db:1', 1, 1, 10, 3, 10, 1, 0],
    ],
  );
  assert.deepEqual(
    groups[0]?.pulls.map((p) => p.nodeName),
    ['n1', 'n2'],
  );
});

test('groupByImage: a failed image is never complete; the worst pull colours the group', () => {
  const [onlyFailed] = groupByImage([pull({ id: '1', imageRef: 'gone:1', status: 'failed', totalBytes: 0, downloadedBytes: 0 })]);
  assert.equal(onlyFailed?.percent, undefined);
  assert.equal(onlyFailed?.worst, 'failed');
  const [mixed] = groupByImage([
    pull({ id: '2', imageRef: 'app:1', nodeName: 'a', status: 'completed', totalBytes: 10, downloadedBytes: 10 }),
    pull({ id: '3', imageRef: 'app:1', nodeName: 'b', status: 'stalled', totalBytes: 10, downloadedBytes: 0 }),
  ]);
  assert.equal(mixed?.percent, 50);
  assert.equal(mixed?.worst, 'stalled');
});

test('sparklinePoints scales the largest sample to the top and zero to the bottom', () => {
  assert.equal(sparklinePoints([0, 5, 10], 100, 20), '0,20 50,10 100,0');
  assert.equal(sparklinePoints([0, 0], 100, 20), '0,20 100,20');
  assert.equal(sparklinePoints([], 100, 20), '');
});

test('pushSample keeps the newest samples up to capacity', () => {
  assert.deepEqual(pushSample([1, 2, 3], 4, 3), [2, 3, 4]);
  assert.deepEqual(pushSample([1], 2, 3), [1, 2]);
});
