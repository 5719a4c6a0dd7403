import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentReport, ReportPull } from '../../model/index.js';
import { isOriginalIngest, OriginalReportShape } from './originalReportShape.js';

const ingest = (hex: string, total: number, down: number, startedAt = '0001-01-01T00:00:00Z'): ReportPull => ({
  imageRef: `layer-sha256:${hex}`,
  startedAt,
  totalKnown: true,
  layers: [{ digest: `sha256:${hex}`, totalBytes: total, downloadedBytes: down, totalKnown: true }],
});
const report = (pulls: ReportPull[]): AgentReport => ({ nodeName: 'w1', pulls });
/** adapts and accepts, as the tracker does with a report it took */
const accept = (shape: OriginalReportShape, pulls: ReportPull[]) => {
  const a = shape.adapt(report(pulls));
  a.commit();
  return a.report.pulls;
};

test('which entries are digest-only ingests', () => {
  const table: Array<[ReportPull, boolean]> = [
    [ingest('aaaaaa', 1, 0), true],
    [{ imageRef: '', layers: [] }, true],
    [{ imageRef: 'sha256:abc', layers: [] }, true],
    [{ imageRef: 'layer-sha256:abc', status: 'pulling', layers: [] }, false],
    [{ imageRef: 'layer-sha256:abc', manifestDigest: 'sha256:m', layers: [] }, false],
    [{ imageRef: 'nginx:1.27', layers: [] }, false],
  ];
  for (const [p, expected] of table) assert.equal(isOriginalIngest(p), expected, JSON.stringify(p));
});

test('a current-shape report passes through untouched (the same object)', () => {
  const shape = new OriginalReportShape();
  const r = report([{ imageRef: 'a', manifestDigest: 'sha256:m', status: 'pulling', layers: [] }]);
  assert.equal(shape.adapt(r).report, r);
});

test('ingests become one pull per node; a vanished ingest is a done layer; all vanished: completed', () => {
  const shape = new OriginalReportShape();
  const [first] = accept(shape, [ingest('aaaaaa', 100, 10), ingest('bbbbbb', 200, 20, '2026-01-01T00:00:00Z')]);
  assert.equal(first?.imageRef, 'sha256:aaaaaa', 'named by the first ingest, a placeholder kubelet can replace');
  assert.equal(first?.status, 'pulling');
  assert.equal(first?.startedAt, '2026-01-01T00:00:00Z', 'the earliest real start; Go zero time is unknown');
  assert.equal(first?.totalKnown, true);
  assert.deepEqual(
    first?.layers.map((l) => l.digest),
    ['sha256:aaaaaa', 'sha256:bbbbbb'],
  );

  const [mid] = accept(shape, [ingest('bbbbbb', 200, 150)]);
  assert.equal(mid?.imageRef, 'sha256:aaaaaa', 'the name stays while the group lives (it is the pull key)');
  assert.deepEqual(
    mid?.layers.map((l) => [l.digest, l.state, l.downloadedBytes]),
    [
      ['sha256:bbbbbb', undefined, 150],
      ['sha256:aaaaaa', 'done', 100],
    ],
  );

  const [done] = accept(shape, []);
  assert.equal(done?.status, 'completed');
  assert.ok(done?.layers.every((l) => l.state === 'done' && l.downloadedBytes === l.totalBytes));
  assert.deepEqual(accept(shape, []), [], 'completed once; then the node is forgotten');
});

test('a statusless named pull that vanishes is sent once more as completed', () => {
  const shape = new OriginalReportShape();
  const named: ReportPull = { imageRef: 'nginx:1.27', layers: [{ digest: 'sha256:n', totalBytes: 5, downloadedBytes: 2 }] };
  assert.equal(accept(shape, [named])[0]?.status, 'pulling');
  const [gone] = accept(shape, []);
  assert.equal(gone?.status, 'completed');
  assert.equal(gone?.imageRef, 'nginx:1.27');
  assert.deepEqual(accept(shape, []), []);
});

test('nothing is remembered from a report that was not accepted', () => {
  const shape = new OriginalReportShape();
  shape.adapt(report([ingest('aaaaaa', 1, 0)])); // refused: no commit
  assert.deepEqual(accept(shape, []), [], 'no group to complete');
});
