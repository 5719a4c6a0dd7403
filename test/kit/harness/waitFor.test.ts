import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StopWaiting, waitFor } from './waitFor.js';

test('waitFor returns the first truthy value', async () => {
  let n = 0;
  const v = await waitFor(() => (++n >= 3 ? `done after ${n}` : false), { timeoutMs: 2000, what: 'n to reach 3', intervalMs: 1 });
  assert.equal(v, 'done after 3');
});

test('waitFor times out with what it waited for and the last error', async () => {
  await assert.rejects(
    waitFor(
      () => {
        throw new Error('not ready');
      },
      { timeoutMs: 30, what: 'the thing', intervalMs: 5 },
    ),
    /timed out after 30 ms waiting for the thing \(last error: not ready\)/,
  );
});

test('StopWaiting ends the wait at once', async () => {
  await assert.rejects(
    waitFor(
      () => {
        throw new StopWaiting('process exited');
      },
      { timeoutMs: 60_000, what: 'never' },
    ),
    /process exited/,
  );
});
