import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullStatus } from '../model/index.js';
import { fromPullRow, toPullRow } from './pullRow.js';

function pull(over: Partial<PullStatus> = {}): PullStatus {
  return {
    id: 'p1',
    nodeName: 'node-1',
    imageRef: 'docker.io/library/nginx:1.27',
    status: 'completed',
    totalBytes: 300,
    downloadedBytes: 300,
    cachedBytes: 0,
    bytesPerSec: 0,
    percent: 100,
    layerCount: 1,
    layersDone: 1,
    startedAt: '2026-11-27T10:00:00.000Z',
    completedAt: '2026-11-27T10:00:05.000Z',
    pods: [{ namespace: 'default', podName: 'web-1', container: 'web', image: 'nginx:1.27' }],
    totalKnown: true,
    layers: [
      {
        pullId: 'p1',
        digest: 'sha256:aa',
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        totalBytes: 300,
        downloadedBytes: 300,
        bytesPerSec: 0,
        percent: 100,
        totalKnown: true,
        state: 'done',
      },
    ],
    ...over,
  };
}

test('toPullRow extracts the filter columns and fromPullRow gives the same pull back', () => {
  const p = pull({ status: 'failed', error: 'connection reset', manifestDigest: 'sha256:mm' });
  const row = toPullRow(p, 0);
  assert.equal(row.startedAt, Date.parse('2026-11-27T10:00:00.000Z'));
  assert.equal(row.completedAt, Date.parse('2026-11-27T10:00:05.000Z'));
  assert.equal(row.error, 'connection reset');
  assert.equal(row.manifestDigest, 'sha256:mm');
  assert.deepEqual(row.pods, [{ namespace: 'default', podName: 'web-1' }]);
  assert.equal(JSON.parse(row.doc).layers, undefined, 'layers are stored apart from the summary');
  assert.deepEqual(fromPullRow(row.doc, row.layers, row.layersFormat), p);
});

test('toPullRow snapshots: later changes to the live object do not reach the row', () => {
  const p = pull();
  const row = toPullRow(p, 0);
  p.error = 'changed later';
  p.layers![0]!.state = 'waiting';
  const back = fromPullRow(row.doc, row.layers, row.layersFormat);
  assert.equal(back.error, undefined);
  assert.equal(back.layers![0]!.state, 'done');
});

for (const [why, completedAt] of [
  ['absent', undefined],
  ['null', null],
  ['unparsable', 'yesterday'],
] as const) {
  test(`toPullRow uses the given time when completedAt is ${why}`, () => {
    const now = Date.parse('2026-11-27T11:00:00.000Z');
    const row = toPullRow(pull({ completedAt: completedAt as string | null | undefined }), now);
    assert.equal(row.completedAt, now);
    assert.equal(fromPullRow(row.doc, row.layers, row.layersFormat).completedAt, '2026-11-27T11:00:00.000Z');
  });
}

test('toPullRow stores an empty layer list when the pull has none', () => {
  const row = toPullRow(pull({ layers: undefined }), 0);
  assert.deepEqual(fromPullRow(row.doc, row.layers, row.layersFormat).layers, []);
});

test('the fields of a pull’s whole truth survive the history row (queue time, failure kind, unpack start)', () => {
  const p = pull({
    status: 'failed',
    waitSeconds: 1.9,
    failureReason: 'rate_limited',
    unpackStartedAt: '2026-11-27T10:00:04.000Z',
    error: '429 Too Many Requests',
  });
  const row = toPullRow(p, 0);
  const back = fromPullRow(row.doc, row.layers);
  assert.equal(back.waitSeconds, 1.9);
  assert.equal(back.failureReason, 'rate_limited');
  assert.equal(back.unpackStartedAt, '2026-11-27T10:00:04.000Z');
});
