import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Held, NamespaceHolds } from './namespaceHolds.js';

const entry = (namespace: string, key: string, item: number): Held<number> => ({ namespace, key, item, until: 1_000 });

test("a flood from one namespace fills only that namespace's share; another namespace still holds", () => {
  const holds = new NamespaceHolds<number>({ perNamespace: 3, total: 10 });
  const flood = Array.from({ length: 50 }, (_, i) => holds.hold(entry('attacker', `pod-${i}`, i)));
  assert.deepEqual(
    flood.filter((ok) => ok),
    [true, true, true],
  );
  assert.equal(holds.heldIn('attacker'), 3);
  assert.equal(holds.hold(entry('shop', 'web', 99)), true, 'a genuine event from another namespace finds room');
  assert.equal(holds.size, 4);
});

test('the total bounds memory across namespaces', () => {
  const holds = new NamespaceHolds<number>({ perNamespace: 2, total: 3 });
  assert.equal(holds.hold(entry('a', 'k', 1)), true);
  assert.equal(holds.hold(entry('a', 'k', 2)), true);
  assert.equal(holds.hold(entry('b', 'k', 3)), true);
  assert.equal(holds.hold(entry('c', 'k', 4)), false);
});

test('take returns the entries of one key (or all) oldest first and frees their namespace share', () => {
  const holds = new NamespaceHolds<number>({ perNamespace: 2, total: 10 });
  holds.hold(entry('a', 'pod-1', 1));
  holds.hold(entry('a', 'pod-2', 2));
  holds.hold(entry('b', 'pod-1', 3));
  assert.equal(holds.hold(entry('a', 'pod-3', 4)), false);
  assert.deepEqual(
    holds.take('pod-1').map((e) => e.item),
    [1, 3],
  );
  assert.deepEqual(holds.take('absent'), []);
  assert.equal(holds.heldIn('a'), 1);
  assert.equal(holds.heldIn('b'), 0);
  assert.equal(holds.hold(entry('a', 'pod-3', 4)), true, 'room again once taken');
  assert.deepEqual(
    holds.take().map((e) => e.item),
    [2, 4],
  );
  assert.equal(holds.size, 0);
});
