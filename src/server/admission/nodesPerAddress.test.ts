import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodesPerAddress } from './nodesPerAddress.js';

test('a requester may report for up to the limit of names; others are unaffected', () => {
  const n = new NodesPerAddress(2, 1000);
  assert.ok(n.admit('addr:10.0.0.1', 'a', 0));
  assert.ok(n.admit('addr:10.0.0.1', 'b', 0));
  assert.ok(!n.admit('addr:10.0.0.1', 'c', 0), 'a third name is refused');
  assert.ok(n.admit('addr:10.0.0.1', 'a', 10), 'a known name still passes');
  assert.ok(n.admit('addr:10.0.0.2', 'c', 10), 'another requester is not limited');
});

test('names idle longer than the window stop counting', () => {
  const n = new NodesPerAddress(1, 1000);
  assert.ok(n.admit('x', 'a', 0));
  assert.ok(!n.admit('x', 'b', 1000));
  assert.ok(n.admit('x', 'b', 1001), 'a went idle');
  n.prune(5000);
  assert.ok(n.admit('x', 'c', 5000));
});
