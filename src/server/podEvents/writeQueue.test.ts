import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WriteQueue } from './writeQueue.js';

test('one entry per key: a newer write replaces a waiting one in its place', () => {
  const q = new WriteQueue<string>(10);
  assert.equal(q.put('a', 'a1'), undefined);
  assert.equal(q.put('b', 'b1'), undefined);
  assert.equal(q.put('a', 'a2'), 'superseded');
  assert.deepEqual(q.take(), ['a', 'a2']);
  assert.deepEqual(q.take(), ['b', 'b1']);
  assert.equal(q.take(), undefined);
});

test('bounded: a new key beyond capacity is dropped, an existing one still replaced', () => {
  const q = new WriteQueue<number>(2);
  q.put('a', 1);
  q.put('b', 1);
  assert.equal(q.put('c', 1), 'queue_full');
  assert.equal(q.size, 2);
  assert.equal(q.put('b', 2), 'superseded');
});

test('a retried write goes first, unless something newer for its key is already waiting', () => {
  const q = new WriteQueue<number>(5);
  q.put('b', 1);
  assert.equal(q.putBack('a', 1), true);
  assert.deepEqual(q.take(), ['a', 1]);
  assert.equal(q.putBack('b', 0), false);
  assert.deepEqual(q.take(), ['b', 1]);
});
