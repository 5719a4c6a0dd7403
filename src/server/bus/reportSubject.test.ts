// Table tests: node names as subject tokens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterOfSubject, reportSubject, subjectToken } from './reportSubject.js';

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
