import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventRing } from './eventRing.js';

test('keeps the newest items in order once full', () => {
  const r = new EventRing<number>(3);
  assert.equal(r.oldest(), undefined);
  for (let i = 1; i <= 5; i++) r.push(i);
  assert.deepEqual([...r], [3, 4, 5]);
  assert.equal(r.oldest(), 3);
  assert.equal(r.size, 3);
});

test('partially filled', () => {
  const r = new EventRing<string>(4);
  r.push('a');
  r.push('b');
  assert.deepEqual([...r], ['a', 'b']);
});
