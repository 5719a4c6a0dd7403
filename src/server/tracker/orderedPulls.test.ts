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
  const c = key(5, 'c');
  for (const k of [key(9, 'a'), c, key(5, 'b'), key(1, 'z')]) pulls.add(k);
  assert.deepEqual([...pulls.after(key(5, 'c'))], [key(5, 'b'), key(1, 'z')]);
  pulls.remove(c);
  assert.deepEqual([...pulls.after(key(5, 'c'))], [key(5, 'b'), key(1, 'z')], 'a removed position still places the page');
  assert.deepEqual([...pulls.after(key(7, 'q'))], [key(5, 'b'), key(1, 'z')]);
  assert.deepEqual([...pulls.after(key(0, 'a'))], []);
  assert.deepEqual([...pulls.after(key(99, 'a'))], [key(9, 'a'), key(5, 'b'), key(1, 'z')]);
});

test('removing takes out exactly that item; an equal copy or an unknown one changes nothing', () => {
  const pulls = new OrderedPulls<{ startedAt: number; id: string }>();
  const items = [key(5, 'a'), key(5, 'b'), key(5, 'c')];
  for (const k of items) pulls.add(k);
  pulls.remove(items[1] as { startedAt: number; id: string });
  pulls.remove(key(5, 'a'));
  pulls.remove(key(4, 'a'));
  assert.deepEqual([...pulls.after()], [key(5, 'c'), key(5, 'a')]);
  assert.equal(pulls.size, 2);
});

test('thousands of removals and re-additions keep the order and the size right', () => {
  const pulls = new OrderedPulls<{ startedAt: number; id: string }>();
  const all = Array.from({ length: 5000 }, (_, i) => key(i % 97, `id-${i}`));
  for (const k of all) pulls.add(k);
  const kept = all.filter((_, i) => i % 3 !== 0);
  for (const [i, k] of all.entries()) if (i % 3 === 0) pulls.remove(k);
  assert.equal(pulls.size, kept.length);
  assert.deepEqual([...pulls.after()], [...kept].sort(comparePullOrder));
  const again = key(50, 'id-new');
  pulls.add(again);
  assert.equal([...pulls.after()].indexOf(again), [...kept, again].sort(comparePullOrder).indexOf(again));
});
