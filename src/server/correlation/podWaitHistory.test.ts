import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PodWaitHistory, type WaitingContainerRef } from './podWaitHistory.js';

const w = (podName: string, image = 'docker.io/library/app:1'): WaitingContainerRef => ({
  namespace: 'shop',
  podName,
  container: 'app',
  image,
});

test('a wait is open while the container waits and ends when it is no longer seen waiting', () => {
  const h = new PodWaitHistory();
  h.observe('n1', [w('a'), w('b')], 100);
  assert.deepEqual(h.waitOf('n1', 'shop', 'a', 'app'), { image: 'docker.io/library/app:1', until: undefined });
  h.observe('n1', [w('b')], 250);
  assert.equal(h.waitOf('n1', 'shop', 'a', 'app')?.until, 250, 'a stopped waiting at 250');
  assert.equal(h.waitOf('n1', 'shop', 'b', 'app')?.until, undefined);
  assert.equal(h.waitOf('n2', 'shop', 'b', 'app'), undefined, 'per node');
  assert.equal(h.waitOf('n1', 'shop', 'never', 'app'), undefined);
});

test('noteWaiting opens waits without ending the others (pods waiting before the first change was seen)', () => {
  const h = new PodWaitHistory();
  h.noteWaiting('n1', [w('a')], 100);
  h.noteWaiting('n1', [w('b')], 110);
  assert.equal(h.waitOf('n1', 'shop', 'a', 'app')?.until, undefined);
  h.observe('n1', [], 200);
  assert.equal(h.waitOf('n1', 'shop', 'a', 'app')?.until, 200);
  assert.equal(h.waitOf('n1', 'shop', 'b', 'app')?.until, 200);
});

test('ended waits are forgotten after the memory, and each node keeps at most its bound', () => {
  const h = new PodWaitHistory(1_000, 3);
  h.observe('n1', [w('a')], 0);
  h.observe('n1', [], 10);
  h.observe('n1', [w('b')], 2_000);
  assert.equal(h.waitOf('n1', 'shop', 'a', 'app'), undefined, 'ended 1,990 ms ago, memory 1,000');
  h.observe('n1', [w('b'), w('c'), w('d'), w('e')], 2_100);
  assert.equal(h.size, 3);
  h.observe('n1', [], 2_200);
  assert.equal(h.size, 3);
  h.observe('n1', [], 4_000);
  assert.equal(h.size, 0, 'all ended long ago: the node is forgotten');
});
