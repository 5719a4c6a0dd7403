import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConcurrencyLimit } from './concurrencyLimit.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

test('at most max run at once; maxWaiting wait; the rest are refused', async () => {
  const limit = new ConcurrencyLimit(2, 1);
  const gates = [deferred(), deferred(), deferred()];
  let peak = 0;
  let running = 0;
  const task = (i: number) => async () => {
    running += 1;
    peak = Math.max(peak, running);
    await gates[i]?.promise;
    running -= 1;
    return i;
  };
  const a = limit.run(task(0));
  const b = limit.run(task(1));
  const c = limit.run(task(2));
  assert.ok(a && b && c);
  assert.equal(limit.run(task(3)), undefined, 'the fourth is refused: two run, one waits');
  assert.equal(limit.queued, 1);
  gates[0]?.resolve();
  assert.equal(await a, 0);
  assert.equal(limit.active, 2, 'the waiting task took the freed turn');
  assert.equal(limit.queued, 0);
  gates[1]?.resolve();
  gates[2]?.resolve();
  assert.deepEqual(await Promise.all([b, c]), [1, 2]);
  assert.equal(peak, 2);
  assert.equal(limit.active, 0);
});

test('a failing task frees its turn', async () => {
  const limit = new ConcurrencyLimit(1, 0);
  await assert.rejects(limit.run(async () => Promise.reject(new Error('boom'))) as Promise<unknown>, /boom/);
  assert.equal(limit.active, 0);
  assert.equal(await limit.run(async () => 'ok'), 'ok');
});
