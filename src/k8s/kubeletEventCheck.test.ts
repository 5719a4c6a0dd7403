import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkEventAgainstPod,
  type EventClaim,
  foreignNamespace,
  statusShowsPullDone,
  statusShowsPullFailure,
} from './kubeletEventCheck.js';
import type { PodFacts } from './podIndex.js';

const pod: PodFacts = {
  namespace: 'default',
  name: 'web',
  uid: 'u1',
  nodeName: 'node-a',
  containers: [
    { name: 'setup', image: 'busybox:1.36', init: true, waitingReason: 'ErrImagePull' },
    { name: 'app', image: 'nginx', init: false, waitingReason: 'PodInitializing' },
  ],
};
const claim = (c: Partial<EventClaim>): EventClaim => ({ nodeName: 'node-a', container: 'app', init: false, image: 'nginx', ...c });

const cases: Array<[string, EventClaim, PodFacts | undefined, string]> = [
  ['matching pod, container and image', claim({}), pod, 'ok:app'],
  ['image written differently but the same after normalizing', claim({ image: 'docker.io/library/nginx:latest' }), pod, 'ok:app'],
  ['init container by field path', claim({ container: 'setup', init: true, image: 'busybox:1.36' }), pod, 'ok:setup'],
  ['no image in the message (Error: ErrImagePull) names the container', claim({ image: '' }), pod, 'ok:app'],
  ['no field path: any container with that image', claim({ container: '', image: 'busybox:1.36' }), pod, 'ok:setup'],
  ['pod absent', claim({}), undefined, 'pod_absent'],
  ['another node', claim({ nodeName: 'node-b' }), pod, 'wrong_node'],
  ['pod not scheduled', claim({}), { ...pod, nodeName: '' }, 'wrong_node'],
  ['image the container does not run', claim({ image: 'evil:1' }), pod, 'image_not_in_pod'],
  ['container the pod does not have', claim({ container: 'sidecar' }), pod, 'image_not_in_pod'],
  ['app container named as init', claim({ init: true }), pod, 'image_not_in_pod'],
  ['no field path and no image', claim({ container: '', image: '' }), pod, 'image_not_in_pod'],
];

for (const [name, c, p, want] of cases) {
  test(`checkEventAgainstPod: ${name}`, () => {
    const v = checkEventAgainstPod(c, p);
    assert.equal(v.ok ? `ok:${v.container.name}` : v.reason, want);
  });
}

for (const [reason, want] of [
  ['ErrImagePull', true],
  ['ImagePullBackOff', true],
  ['InvalidImageName', true],
  ['ErrImageNeverPull', true],
  ['RegistryUnavailable', true],
  ['ContainerCreating', false],
  ['PodInitializing', false],
  ['CrashLoopBackOff', false],
  [undefined, false],
] as const) {
  test(`statusShowsPullFailure: ${reason ?? 'not waiting'}`, () => {
    const c = { name: 'app', image: 'nginx', init: false, ...(reason ? { waitingReason: reason } : {}) };
    assert.equal(statusShowsPullFailure(c), want);
  });
}

for (const [what, facts, want] of [
  ['running', { started: true }, true],
  ['waiting for something else than its image', { waitingReason: 'CreateContainerConfigError' }, true],
  ['still creating (the image may be pulling)', { waitingReason: 'ContainerCreating' }, false],
  ['failing to pull', { waitingReason: 'ErrImagePull' }, false],
  ['in pull back-off', { waitingReason: 'ImagePullBackOff' }, false],
  ['no status yet', {}, false],
] as const) {
  test(`statusShowsPullDone: ${what}`, () => {
    assert.equal(statusShowsPullDone({ name: 'app', image: 'nginx', init: false, ...facts }), want);
  });
}

test('foreignNamespace: an Event naming a pod outside its own namespace is refused, with both namespaces named', () => {
  assert.equal(foreignNamespace({ namespace: 'shop', eventNamespace: 'shop' }), undefined);
  const v = foreignNamespace({ namespace: 'shop', eventNamespace: 'attacker' });
  assert.equal(v?.reason, 'foreign_namespace');
  assert.match(v?.detail ?? '', /attacker.*shop/);
});
