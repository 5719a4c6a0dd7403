import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { nextSliceTurn } from './sliceTurns.js';

test('one slice per turn of the event loop, whoever asked, with I/O served between two slices', async () => {
  const log: string[] = [];
  const { port1, port2 } = new MessageChannel();
  port2.on('message', (m: string) => log.push(m));
  const slice = (name: string) =>
    nextSliceTurn().then(() => {
      log.push(name);
      // I/O arriving while this slice runs is delivered before the next slice.
      port1.postMessage(`i/o after ${name}`);
    });
  await Promise.all([slice('reader 1'), slice('reader 2'), slice('reader 3')]);
  await new Promise((resolve) => setImmediate(resolve));
  port1.close();
  assert.deepEqual(log, ['reader 1', 'i/o after reader 1', 'reader 2', 'i/o after reader 2', 'reader 3', 'i/o after reader 3']);
});
