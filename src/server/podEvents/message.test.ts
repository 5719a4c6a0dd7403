import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventMessage, eventType, MAX_MESSAGE_CHARS, phaseSeconds } from './message.js';
import { testPull } from './testPull.js';

const IMAGE = 'registry.example/shop/api:1.2';

test('progress: percent of size, rate, time left and the layer', () => {
  const pull = testPull({ percent: 45.7, downloadedBytes: 548_400_000, layersDone: 2 });
  assert.equal(
    eventMessage('progress', pull, IMAGE),
    `Pulling image "${IMAGE}": 45% of 1.20 GB at 30.0 MB/s, about 40s left (layer 3 of 7)`,
  );
  assert.equal(eventType('progress', pull), 'Normal');
});

test('size not known yet: bytes so far', () => {
  const pull = testPull({ totalKnown: false, downloadedBytes: 120_000_000, etaSeconds: undefined, layerCount: 1 });
  assert.equal(eventMessage('start', pull, IMAGE), `Pulling image "${IMAGE}": 120 MB so far at 30.0 MB/s`);
});

test('stalled and trickling are Warnings; the recovery is Normal', () => {
  const stalled = testPull({ status: 'stalled', percent: 45, bytesPerSec: 0, layersDone: 2 });
  assert.equal(eventMessage('stalled', stalled, IMAGE), `Pulling image "${IMAGE}" stalled: no progress at 45% of 1.20 GB (layer 3 of 7)`);
  assert.equal(eventType('stalled', stalled), 'Warning');
  const slow = testPull({ slow: true, percent: 45, bytesPerSec: 20_000, etaSeconds: 11_250 });
  assert.equal(
    eventMessage('trickling', slow, IMAGE),
    `Pulling image "${IMAGE}" is trickling: 45% of 1.20 GB at 20.0 kB/s, about 3h07m left (layer 1 of 7)`,
  );
  assert.equal(eventType('trickling', slow), 'Warning');
  assert.equal(eventType('recovered', testPull()), 'Normal');
  assert.equal(eventType('start', stalled), 'Warning', 'a first write while stalled says so');
});

test('done: size, total time and the phase breakdown (queued from kubelet, unpacking from the status history)', () => {
  const pull = testPull({
    status: 'completed',
    percent: 100,
    startedAt: '2026-12-07T10:00:00.000Z',
    unpackStartedAt: '2026-12-07T10:00:45.000Z',
    completedAt: '2026-12-07T10:00:52.000Z',
    waitSeconds: 20,
  });
  assert.equal(eventMessage('done', pull, IMAGE), `Pulled image "${IMAGE}": 1.20 GB in 1m12s (queued 20s, downloading 45s, unpacking 7s)`);
  assert.equal(eventType('done', pull), 'Normal');
  const noWait = testPull({ status: 'completed', completedAt: '2026-12-07T10:00:30.000Z' });
  assert.equal(eventMessage('done', noWait, IMAGE), `Pulled image "${IMAGE}": 1.20 GB in 30s`);
});

test('failed: Warning with the failure kind and kubelet’s text, made printable', () => {
  const pull = testPull({ status: 'failed', percent: 45, failureReason: 'not_found', error: 'manifest unknown\n\x1b[31m' });
  assert.equal(
    eventMessage('failed', pull, IMAGE),
    `Failed to pull image "${IMAGE}" (not_found) at 45% of 1.20 GB: manifest unknown \\x1b[31m`,
  );
  assert.equal(eventType('failed', pull), 'Warning');
});

test('a message never exceeds the note limit', () => {
  const pull = testPull({ status: 'failed', error: 'e'.repeat(5000) });
  assert.equal(eventMessage('failed', pull, IMAGE).length, MAX_MESSAGE_CHARS);
});

test('phases while running: downloading so far', () => {
  assert.deepEqual(phaseSeconds(testPull({ waitSeconds: 3 }), Date.parse('2026-12-07T10:00:10.000Z')), { queued: 3, downloading: 10 });
});
