// Table tests: which inputs give the same pull id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pullIdFor } from './pullId.js';

test('the same cluster, node, key and agent start give the same id; any difference gives another', () => {
  const base = pullIdFor('default', 'node-a', 'sha256:m1', 1000);
  assert.match(base, /^[0-9a-f]{16}$/);
  assert.equal(pullIdFor('default', 'node-a', 'sha256:m1', 1000), base);
  for (const other of [
    pullIdFor('eu-1', 'node-a', 'sha256:m1', 1000),
    pullIdFor('default', 'node-b', 'sha256:m1', 1000),
    pullIdFor('default', 'node-a', 'sha256:m2', 1000),
    pullIdFor('default', 'node-a', 'sha256:m1', 1001),
    // separators keep fields apart: ("a", "b\0c") differs from ("a\0b", "c")
    pullIdFor('default', 'node-a\0sha256:m1', '', 1000),
  ]) {
    assert.notEqual(other, base);
  }
});

test('without an agent start time ids are random', () => {
  assert.notEqual(pullIdFor('default', 'node-a', 'sha256:m1', undefined), pullIdFor('default', 'node-a', 'sha256:m1', undefined));
});
