import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupReportPulls, parseReportTime } from './reportGrouping.js';

test('new-shape pulls are keyed by manifest digest, else by image reference', () => {
  const groups = groupReportPulls([
    { imageRef: '127.0.0.1/app', manifestDigest: 'sha256:m1', status: 'pulling', layers: [] },
    { imageRef: '127.0.0.1/other', status: 'pulling', layers: [] },
  ]);
  assert.deepEqual(
    groups.map((g) => g.key),
    ['sha256:m1', '127.0.0.1/other'],
  );
});

test('entries naming the same image are one pull: layers merged once, earliest start kept', () => {
  const groups = groupReportPulls([
    {
      imageRef: 'a',
      manifestDigest: 'sha256:m',
      status: 'pulling',
      startedAt: '2026-01-02T00:00:00Z',
      layers: [{ digest: 'sha256:1', totalBytes: 1, downloadedBytes: 0 }],
    },
    {
      imageRef: 'a',
      manifestDigest: 'sha256:m',
      status: 'pulling',
      startedAt: '2026-01-01T00:00:00Z',
      layers: [
        { digest: 'sha256:1', totalBytes: 1, downloadedBytes: 0 },
        { digest: 'sha256:2', totalBytes: 1, downloadedBytes: 0 },
      ],
    },
  ]);
  assert.equal(groups.length, 1);
  assert.deepEqual(
    groups[0]!.layers.map((l) => l.digest),
    ['sha256:1', 'sha256:2'],
  );
  assert.equal(groups[0]!.startedAt, Date.parse('2026-01-01T00:00:00Z'));
});

test('parseReportTime treats Go zero time and garbage as unknown', () => {
  assert.equal(parseReportTime('0001-01-01T00:00:00Z'), undefined);
  assert.equal(parseReportTime('yesterday'), undefined);
  assert.equal(parseReportTime(undefined), undefined);
  assert.equal(parseReportTime('2026-11-27T10:00:00Z'), Date.parse('2026-11-27T10:00:00Z'));
});
