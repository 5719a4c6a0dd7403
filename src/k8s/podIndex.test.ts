import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PodIndex, podFacts } from './podIndex.js';

const pod = {
  metadata: { namespace: 'ns', name: 'p', uid: 'u' },
  spec: { nodeName: 'n1', initContainers: [{ name: 'i', image: 'busybox' }], containers: [{ name: 'a', image: 'nginx:1' }] },
  status: {
    initContainerStatuses: [{ name: 'i', state: { terminated: { exitCode: 0 } } }],
    containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ImagePullBackOff', message: 'x' } } }],
  },
};

test('podFacts keeps node, images, waiting reasons and which containers started', () => {
  assert.deepEqual(podFacts(pod), {
    namespace: 'ns',
    name: 'p',
    uid: 'u',
    nodeName: 'n1',
    containers: [
      { name: 'i', image: 'busybox', init: true, started: true },
      { name: 'a', image: 'nginx:1', init: false, waitingReason: 'ImagePullBackOff' },
    ],
  });
});

test('podFacts of an unscheduled pod without status', () => {
  assert.deepEqual(podFacts({ metadata: { namespace: 'ns', name: 'q' }, spec: { containers: [{ name: 'a', image: 'x' }] } }), {
    namespace: 'ns',
    name: 'q',
    uid: '',
    nodeName: '',
    containers: [{ name: 'a', image: 'x', init: false }],
  });
  assert.equal(podFacts({ metadata: {} }), undefined);
});

test('PodIndex replaces and forgets pods by namespace/name', () => {
  const index = new PodIndex();
  index.set(pod);
  assert.equal(index.get('ns', 'p')?.nodeName, 'n1');
  index.set({ ...pod, spec: { ...pod.spec, nodeName: 'n2' } });
  assert.equal(index.get('ns', 'p')?.nodeName, 'n2');
  assert.equal(index.size, 1);
  index.remove(pod);
  assert.equal(index.get('ns', 'p'), undefined);
});
