import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPORT_BODY_LIMIT_BYTES } from '../../model/index.js';
import { type LogMessage, readLogMessage } from './logMessage.js';
import { kubeActionSubject, reportSubject, tickSubject } from './reportSubject.js';

const NOW = Date.parse('2026-11-27T10:00:00Z');
const bytes = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const pull = { imageRef: 'registry.example.com/app:1', status: 'pulling', layers: [] };
const report = { nodeName: 'worker-1.example', pulls: [pull] };
const read = (subject: string, body: unknown): LogMessage => readLogMessage(subject, bytes(body), NOW);
const reasonOf = (m: LogMessage) => (m.kind === 'rejected' ? m.reason : m.kind);

test('a report, a tick and a Kubernetes action as replicas write them are applied as such', () => {
  const r = read(reportSubject('eu-1', report.nodeName), report);
  assert.deepEqual(r, { kind: 'report', cluster: 'eu-1', report });
  assert.deepEqual(read(tickSubject('eu-1'), { at: '2026-11-27T10:00:00.000Z', replica: '0123456789abcdef' }), {
    kind: 'tick',
    cluster: 'eu-1',
  });
  const action = { kind: 'fail', pullId: '0123456789abcdef', message: 'ErrImagePull', cause: 'uid#1' };
  assert.deepEqual(read(kubeActionSubject('eu-1', 'abc'), action), { kind: 'kubeAction', cluster: 'eu-1', action });
});

test('what a hostile writer of the log might publish is skipped with a reason from the fixed list', () => {
  const subject = reportSubject('c1', 'worker-1');
  const cases: Array<[string, string, unknown, string]> = [
    ['a number as imageRef', subject, { nodeName: 'worker-1', pulls: [{ ...pull, imageRef: 12345 }] }, 'schema'],
    ['a status outside the list', subject, { nodeName: 'worker-1', pulls: [{ ...pull, status: 'owned' }] }, 'schema'],
    ['no pulls array', subject, { nodeName: 'worker-1' }, 'schema'],
    ['not JSON', subject, '{"nodeName":', 'not_json'],
    ['JSON null', subject, 'null', 'schema'],
    ['a start time in 1990', subject, { nodeName: 'worker-1', pulls: [{ ...pull, startedAt: '1990-01-01T00:00:00Z' }] }, 'time'],
    ['a timestamp a day ahead of the stream', subject, { nodeName: 'worker-1', timestamp: '2026-11-28T10:00:00Z', pulls: [] }, 'time'],
    ['a report for another node than its subject', subject, { nodeName: 'worker-2', pulls: [] }, 'node_mismatch'],
    ['a report naming another cluster', subject, { nodeName: 'worker-1', cluster: 'c2', pulls: [] }, 'cluster'],
    ['a cluster that is no DNS label', 'pulltrace.C_1.report.worker-1', { nodeName: 'worker-1', pulls: [] }, 'cluster'],
    ['an unknown kind of subject', 'pulltrace.c1.other.x', {}, 'subject'],
    ['a subject outside the log', 'elsewhere.c1.report.worker-1', report, 'subject'],
    ['a tick that is not a tick', tickSubject('c1'), { at: 12 }, 'tick'],
    ['a tick that is an array', tickSubject('c1'), [], 'tick'],
    ['a tick that is not JSON', tickSubject('c1'), 'tick', 'not_json'],
    ['a Kubernetes action of an unknown kind', kubeActionSubject('c1', 'x'), { kind: 'explode', pullId: 'p' }, 'kube_action'],
    [
      'a Kubernetes action for a node no report names',
      kubeActionSubject('c1', 'x'),
      { kind: 'createFailed', nodeName: 'A B', imageRef: 'i', message: 'm', rank: 1 },
      'kube_action',
    ],
    ['a Kubernetes action that is not JSON', kubeActionSubject('c1', 'x'), 'fail', 'kube_action'],
  ];
  for (const [name, subj, body, reason] of cases) {
    const m = read(subj, body);
    assert.equal(reasonOf(m), reason, name);
    if (m.kind === 'rejected') assert.ok(m.message.length > 0, name);
  }
});

test('a message over the report body limit is skipped before it is parsed', () => {
  const big = new Uint8Array(REPORT_BODY_LIMIT_BYTES + 1).fill(0x20);
  assert.equal(reasonOf(readLogMessage(reportSubject('c1', 'n'), big, NOW)), 'too_large');
});

test('the time bounds are taken from the stream stamp, so every replica decides alike', () => {
  const body = bytes({ nodeName: 'n', timestamp: '2026-11-27T10:15:00Z', pulls: [] });
  assert.equal(readLogMessage(reportSubject('c1', 'n'), body, NOW).kind, 'rejected');
  assert.equal(readLogMessage(reportSubject('c1', 'n'), body, NOW + 10 * 60_000).kind, 'report');
});

test('a node name with dots matches its subject token', () => {
  assert.equal(read(reportSubject('c1', 'ip-10-0-0-1.ec2.internal'), { nodeName: 'ip-10-0-0-1.ec2.internal', pulls: [] }).kind, 'report');
});
