// Table tests: node names as subject tokens; tick subjects and their per-second message ids.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clusterOfSubject,
  isKubeActionSubject,
  isTickSubject,
  kubeActionMessageId,
  kubeActionSubject,
  reportSubject,
  subjectToken,
  tickMessageId,
  tickSubject,
} from './reportSubject.js';

test('node names become one subject token each, distinct names stay distinct', () => {
  const cases: Array<[string, string]> = [
    ['node-a', 'node-a'],
    ['ip-10-0-1-5.ec2.internal', 'ip-10-0-1-5_ec2_internal'],
    ['a b', 'a~20b'],
    ['a*>', 'a~2a~3e'],
  ];
  for (const [name, token] of cases) assert.equal(subjectToken(name), token, name);
  assert.equal(reportSubject('eu-1', 'n.x'), 'pulltrace.eu-1.report.n_x');
  assert.equal(clusterOfSubject(reportSubject('eu-1', 'n.x')), 'eu-1');
});

test('ticks have their own subject per cluster, never mistaken for a report', () => {
  const cases: Array<[string, boolean]> = [
    [tickSubject('eu-1'), true],
    [reportSubject('eu-1', 'tick'), false],
    [reportSubject('eu-1', 'n.tick'), false],
    ['pulltrace.tick', false],
  ];
  for (const [subject, tick] of cases) assert.equal(isTickSubject(subject), tick, subject);
  assert.equal(clusterOfSubject(tickSubject('eu-1')), 'eu-1');
});

test('replicas ticking within the same second publish the same message id (kept once)', () => {
  assert.equal(tickMessageId('eu-1', 5_000, 1000), tickMessageId('eu-1', 5_999, 1000));
  assert.notEqual(tickMessageId('eu-1', 5_999, 1000), tickMessageId('eu-1', 6_000, 1000));
  assert.notEqual(tickMessageId('eu-1', 5_000, 1000), tickMessageId('eu-2', 5_000, 1000), 'each cluster ticks');
});

test('Kubernetes action subjects: one per action, told apart from reports and ticks; the id is the same for the same action', () => {
  const id = kubeActionMessageId('c1:{"kind":"fail"}');
  assert.equal(id, kubeActionMessageId('c1:{"kind":"fail"}'));
  assert.notEqual(id, kubeActionMessageId('c2:{"kind":"fail"}'));
  assert.match(id, /^[0-9a-f]{32}$/);
  const subject = kubeActionSubject('c1', id);
  assert.equal(subject, `pulltrace.c1.kube.${id}`);
  assert.equal(isKubeActionSubject(subject), true);
  assert.equal(clusterOfSubject(subject), 'c1');
  assert.equal(isKubeActionSubject('pulltrace.c1.report.kube'), false);
  assert.equal(isKubeActionSubject('pulltrace.c1.tick'), false);
});
