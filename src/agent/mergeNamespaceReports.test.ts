import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportPull } from '../model/index.js';
import { mergeNamespaceReports } from './mergeNamespaceReports.js';

const pull = (digest: string, startedAt: string, imageRef = `reg/${digest}`): ReportPull => ({
  imageRef,
  startedAt,
  manifestDigest: digest,
  status: 'pulling',
  layers: [],
});

test('the pulls of every namespace go into one list, oldest first', () => {
  const defaultNs = [pull('sha256:a', '2026-01-01T00:00:01.000Z'), pull('sha256:c', '2026-01-01T00:00:03.000Z')];
  const k8s = [pull('sha256:b', '2026-01-01T00:00:02.000Z')];
  assert.deepEqual(
    mergeNamespaceReports([defaultNs, k8s]).map((p) => p.manifestDigest),
    ['sha256:a', 'sha256:b', 'sha256:c'],
  );
});

test('the same image in two namespaces: the earlier pull is reported, the later waits (the server keys pulls by digest)', () => {
  const earlier = pull('sha256:a', '2026-01-01T00:00:01.000Z', 'reg/x:default');
  const later = pull('sha256:a', '2026-01-01T00:00:05.000Z', 'reg/x:k8s');
  assert.deepEqual(mergeNamespaceReports([[later], [earlier]]), [earlier]);
});

test('past the cap, the newest pulls are kept', () => {
  const ns1 = [pull('sha256:1', '2026-01-01T00:00:01.000Z'), pull('sha256:3', '2026-01-01T00:00:03.000Z')];
  const ns2 = [pull('sha256:2', '2026-01-01T00:00:02.000Z')];
  assert.deepEqual(
    mergeNamespaceReports([ns1, ns2], 2).map((p) => p.manifestDigest),
    ['sha256:2', 'sha256:3'],
  );
});
