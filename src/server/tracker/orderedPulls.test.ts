import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OrderedPulls } from './orderedPulls.js';
import { comparePullOrder } from './pullOrder.js';

const key = (startedAt: number, id: string) => ({ startedAt, id });

test('items come out newest start first, then by id descending, whatever order they went in', () => {
  const pulls = new OrderedPulls<{ startedAt: number; id: string }>();
  const input = [key(5, 'b'), key(9, 'a'), key(5, 'c'), key(1, 'z'), key(9, 'b'), key(5, 'a')];
  for (const k of input) pulls.add(k);
  const want = [...input].sort(comparePullOrder);
  assert.deepEqual([...pulls.after()], want);
  assert.deepEqual(want.slice(0, 2), [key(9, 'b'), key(9, 'a')]);
  assert.equal(pulls.size, 6);
});

test('after a position: strictly after it, whether or not it is still there', () => {
  const pulls = new OrderedPulls<{ startedAt: number; id: string }>();
  for (const k of [key(9, 'a'), key(5, 'c'), key(5, 'b'), key(1, 'z')]) pulls.add(k);
  assert.deepEqual([...pulls.after(key(5, 'c'))], [key(5, 'b'), key(1, 'z')]);
  pulls.remove(key(5, 'c'));
  assert.deepEqual([...pulls.after(key(5, 'c'))], [key(5, 'b'), key(1, 'z')], 'a removed position still places the page');
  assert.deepEqual([...pulls.after(key(7, 'q'))], [key(5, 'b'), key(1, 'z')]);
  assert.deepEqual([...pulls.after(key(0, 'a'))], []);
});

test('removing takes out exactly that item; an unknown one changes nothing', () => {
  const pulls = new OrderedPulls<{ startedAt: number; id: string }>();
  for (const k of [key(5, 'a'), key(5, 'b'), key(5, 'c')]) pulls.add(k);
  pulls.remove(key(5, 'b'));
  pulls.remove(key(5, 'x'));
  pulls.remove(key(4, 'a'));
  assert.deepEqual([...pulls.after()], [key(5, 'c'), key(5, 'a')]);
});
