import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterOf, DEFAULT_CLUSTER } from './cluster.js';
import { FINISHED_STATES, isFinished } from './finished.js';

test('completed and failed are final; every other state, a status this client does not know included, is not', () => {
  for (const [s, want] of [
    ['pulling', false],
    ['stalled', false],
    ['unpacking', false],
    ['completed', true],
    ['failed', true],
    ['verifying', false],
  ] as const)
    assert.equal(isFinished(s), want, s);
  assert.deepEqual(FINISHED_STATES.filter(isFinished), FINISHED_STATES);
});

test('a pull without a cluster is in default', () => {
  assert.equal(clusterOf({}), DEFAULT_CLUSTER);
  assert.equal(clusterOf({ cluster: 'eu-1' }), 'eu-1');
});
