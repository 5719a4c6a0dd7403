import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupReportPulls, INGEST_GROUP_KEY, isRawIngestRef, parseReportTime } from './reportGrouping.js';

test('raw ingest refs are recognised', () => {
  for (const ref of ['layer-sha256:abcdef0123', 'config-sha256:abcdef', 'manifest-sha256:abcdef', 'sha256:abcdef', ''])
    assert.ok(isRawIngestRef(ref), ref);
  for (const ref of ['docker.io/library/nginx:1.27', '127.0.0.1/app', 'layer-foo']) assert.ok(!isRawIngestRef(ref), ref);
});

test('the original agent shape: one entry per ingest becomes one group per node', () => {
  const groups = groupReportPulls([
    {
      imageRef: 'layer-sha256:aaaaaa',
      startedAt: '0001-01-01T00:00:00Z',
      totalKnown: true,
      layers: [{ digest: 'sha256:aaaaaa', totalBytes: 10, downloadedBytes: 5, totalKnown: true }],
    },
    {
      imageRef: 'layer-sha256:bbbbbb',
      startedAt: '2026-01-01T00:00:00Z',
      totalKnown: true,
      layers: [{ digest: 'sha256:bbbbbb', totalBytes: 20, downloadedBytes: 0, totalKnown: true }],
    },
  ]);
  assert.equal(groups.length, 1);
  const g = groups[0]!;
  assert.equal(g.key, INGEST_GROUP_KEY);
  assert.equal(g.ingestGroup, true);
  assert.deepEqual(
    g.layers.map((l) => l.digest),
    ['sha256:aaaaaa', 'sha256:bbbbbb'],
  );
  assert.equal(g.startedAt, Date.parse('2026-01-01T00:00:00Z'));
  assert.equal(g.imageRef, 'sha256:aaaaaa');
  assert.equal(g.totalKnown, true);
});

test('new-shape pulls are keyed by manifest digest, else by image reference', () => {
  const groups = groupReportPulls([
    { imageRef: '127.0.0.1/app', manifestDigest: 'sha256:m1', status: 'pulling', layers: [] },
    { imageRef: '127.0.0.1/other', status: 'pulling', layers: [] },
  ]);
  assert.deepEqual(
    groups.map((g) => g.key),
    ['sha256:m1', '127.0.0.1/other'],
  );
  assert.ok(groups.every((g) => !g.ingestGroup));
});

test('a named pull without new fields is its own pull, not an ingest group', () => {
  const [g] = groupReportPulls([{ imageRef: 'nginx:1.27', layers: [] }]);
  assert.equal(g!.key, 'nginx:1.27');
  assert.equal(g!.ingestGroup, false);
});

test('parseReportTime treats Go zero time and garbage as unknown', () => {
  assert.equal(parseReportTime('0001-01-01T00:00:00Z'), undefined);
  assert.equal(parseReportTime('yesterday'), undefined);
  assert.equal(parseReportTime(undefined), undefined);
  assert.equal(parseReportTime('2026-11-27T10:00:00Z'), Date.parse('2026-11-27T10:00:00Z'));
});
