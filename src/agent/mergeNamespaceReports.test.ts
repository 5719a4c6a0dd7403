import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportPull } from '../model/index.js';
import { entriesOf, mergeNamespaceReports } from './mergeNamespaceReports.js';

const pull = (digest: string, startedAt: string, imageRef = `reg/${digest}`): ReportPull => ({
  imageRef,
  startedAt,
  manifestDigest: digest,
  status: 'pulling',
  layers: [],
});

test('the pulls of every namespace go into one list, oldest first, each naming its namespace', () => {
  const defaultNs = [pull('sha256:a', '2026-01-01T00:00:01.000Z'), pull('sha256:c', '2026-01-01T00:00:03.000Z')];
  const k8s = [pull('sha256:b', '2026-01-01T00:00:02.000Z')];
  assert.deepEqual(
    mergeNamespaceReports([
      { namespace: 'default', pulls: defaultNs },
      { namespace: 'k8s.io', pulls: k8s },
    ]).map((p) => [p.manifestDigest, p.containerdNamespace]),
    [
      ['sha256:a', 'default'],
      ['sha256:b', 'k8s.io'],
      ['sha256:c', 'default'],
    ],
  );
});

test('the same image pulled in two namespaces at once: both are reported (the server keys them by namespace too)', () => {
  const inDefault = pull('sha256:a', '2026-01-01T00:00:01.000Z', 'reg/x:1');
  const inK8s = pull('sha256:a', '2026-01-01T00:00:05.000Z', 'reg/x:1');
  const merged = mergeNamespaceReports([
    { namespace: 'k8s.io', pulls: [inK8s] },
    { namespace: 'default', pulls: [inDefault] },
  ]);
  assert.deepEqual(
    merged.map((p) => [p.manifestDigest, p.containerdNamespace, p.startedAt]),
    [
      ['sha256:a', 'default', inDefault.startedAt],
      ['sha256:a', 'k8s.io', inK8s.startedAt],
    ],
  );
  assert.deepEqual(entriesOf(merged, 'k8s.io'), [merged[1]], "a namespace's pulls learn only of their own entries");
});

test('past the cap, the newest pulls are kept', () => {
  const ns1 = [pull('sha256:1', '2026-01-01T00:00:01.000Z'), pull('sha256:3', '2026-01-01T00:00:03.000Z')];
  const ns2 = [pull('sha256:2', '2026-01-01T00:00:02.000Z')];
  assert.deepEqual(
    mergeNamespaceReports(
      [
        { namespace: 'a', pulls: ns1 },
        { namespace: 'b', pulls: ns2 },
      ],
      2,
    ).map((p) => p.manifestDigest),
    ['sha256:2', 'sha256:3'],
  );
});
