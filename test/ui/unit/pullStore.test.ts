/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { now, PullStore } from '../../../web/src/live/pullStore.js';
import type { PullEvent, PullStatus } from '../../../web/src/state/types.js';
import { pull } from './fixtures.js';

// The store batches per animation frame; in Node a frame is the next timer turn.
globalThis.requestAnimationFrame ??= (callback: FrameRequestCallback) => setTimeout(() => callback(now()), 0) as unknown as number;
globalThis.cancelAnimationFrame ??= (handle: number) => clearTimeout(handle);

function event(p: PullStatus, type: PullEvent['type'] = 'pull.progress'): PullEvent {
  return { schemaVersion: 'v1', timestamp: new Date().toISOString(), type, nodeName: p.nodeName, pull: p };
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

test('events are applied once per frame, keeping the latest update per pull', async () => {
  const store = new PullStore();
  let notified = 0;
  store.subscribe(() => notified++);
  store.enqueue(event(pull({ id: 'a', downloadedBytes: 100 })));
  store.enqueue(event(pull({ id: 'a', downloadedBytes: 300 })));
  store.enqueue(event(pull({ id: 'b' })));
  assert.equal(store.getSnapshot().pulls.size, 0, 'nothing is applied before the frame');
  await nextFrame();
  await nextFrame();
  assert.equal(notified, 1, 'one notification for the whole batch');
  assert.equal(store.get('a')?.downloadedBytes, 300);
  assert.equal(store.getSnapshot().pulls.size, 2);
});

test('a refetched list drops pulls the server no longer has, unless an event touched them after the request', async () => {
  const store = new PullStore();
  store.replaceAll([pull({ id: 'old' }), pull({ id: 'kept' })], now());
  const requestedAt = now();
  await new Promise((resolve) => setTimeout(resolve, 5));
  store.enqueue(event(pull({ id: 'new' }), 'pull.started'));
  await nextFrame();
  store.replaceAll([pull({ id: 'kept' })], requestedAt);
  assert.deepEqual([...store.getSnapshot().pulls.keys()].sort(), ['kept', 'new']);
});

test('a refetched list does not roll back an event that overtook it', async () => {
  const store = new PullStore();
  store.replaceAll([pull({ id: 'a' })], now());
  const requestedAt = now();
  store.enqueue(event(pull({ id: 'a', status: 'completed', downloadedBytes: 1000, percent: 100 }), 'pull.completed'));
  await nextFrame();
  store.replaceAll([pull({ id: 'a', status: 'pulling', downloadedBytes: 900 })], requestedAt);
  assert.equal(store.get('a')?.status, 'completed');
});

test('layer events update a pull whose layer list is held', async () => {
  const store = new PullStore();
  const layers = [
    {
      pullId: 'a',
      digest: 'sha256:1',
      mediaType: 'x',
      totalBytes: 10,
      downloadedBytes: 0,
      bytesPerSec: 0,
      percent: 0,
      totalKnown: true,
      state: 'waiting' as const,
    },
  ];
  store.put(pull({ id: 'a', layers }));
  store.enqueue({
    schemaVersion: 'v1',
    timestamp: new Date().toISOString(),
    type: 'layer.progress',
    nodeName: 'node-a',
    layer: { ...layers[0]!, downloadedBytes: 5, percent: 50, state: 'downloading' },
    pull: pull({ id: 'a', downloadedBytes: 150 }),
  });
  await nextFrame();
  assert.equal(store.get('a')?.downloadedBytes, 150);
  assert.equal(store.get('a')?.layers?.[0]?.state, 'downloading');
});

test('a failed pull goes back to pulling only on pull.resumed (its node reported it again)', async () => {
  const store = new PullStore();
  store.enqueue(event(pull({ id: 'a', status: 'failed', downloadedBytes: 100, error: 'agent on n stopped reporting' }), 'pull.failed'));
  await nextFrame();
  store.enqueue(event(pull({ id: 'a', status: 'pulling', downloadedBytes: 100 }), 'pull.progress'));
  await nextFrame();
  assert.equal(store.get('a')?.status, 'failed', 'a stale "pulling" view does not undo the failure');
  store.enqueue(event(pull({ id: 'a', status: 'pulling', downloadedBytes: 200 }), 'pull.resumed'));
  await nextFrame();
  assert.equal(store.get('a')?.status, 'pulling');
  assert.equal(store.get('a')?.error, undefined);
  store.enqueue(event(pull({ id: 'a', status: 'pulling', downloadedBytes: 300 }), 'pull.progress'));
  await nextFrame();
  assert.equal(store.get('a')?.downloadedBytes, 300, 'later progress applies as usual');
});
