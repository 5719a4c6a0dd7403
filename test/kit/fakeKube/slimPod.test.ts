import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitingContainers } from '../../../src/k8s/podWaiting.js';
import { slimPod } from '../../../src/k8s/slimPod.js';
import { podObject } from './objects.js';
import { realisticPod } from './realisticPod.js';

const image = 'registry.example.com/shop/web:1.2';
const cases: Array<[string, unknown]> = [
  ['running realistic pod', realisticPod(1, 'node-1')],
  ['creating realistic pod', realisticPod(2, 'node-1', { waiting: { reason: 'ContainerCreating' } })],
  [
    'pull failure with message',
    realisticPod(3, 'node-2', { waiting: { reason: 'ErrImagePull', message: 'rpc error: code = NotFound desc = failed to pull' } }),
  ],
  ['back-off', realisticPod(4, 'node-2', { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } })],
  ['unscheduled', podObject({ name: 'u', containers: [{ name: 'c', image }] })],
  ['no status yet', podObject({ name: 's', nodeName: 'n', containers: [{ name: 'c', image }] })],
  [
    'init container pulling',
    podObject({
      name: 'i',
      nodeName: 'n',
      initContainers: [{ name: 'init', image: 'busybox:1.36', state: { waiting: { reason: 'PodInitializing' } } }],
      containers: [{ name: 'c', image }],
    }),
  ],
  [
    'sidecar running, next init pulling',
    podObject({
      name: 'sc',
      nodeName: 'n',
      initContainers: [
        { name: 'side', image: 'envoy:1', restartPolicy: 'Always', state: { running: {} } },
        { name: 'init', image: 'busybox:1.36', state: { waiting: { reason: 'ErrImagePull' } } },
      ],
      containers: [{ name: 'c', image }],
    }),
  ],
  [
    'failed init container',
    podObject({
      name: 'f',
      nodeName: 'n',
      initContainers: [{ name: 'init', image: 'busybox:1.36', state: { terminated: { exitCode: 1 } } }],
      containers: [{ name: 'c', image }],
    }),
  ],
  [
    'finished',
    podObject({ name: 'd', nodeName: 'n', phase: 'Succeeded', containers: [{ name: 'c', image, state: { terminated: { exitCode: 0 } } }] }),
  ],
  ['garbage', { metadata: 7, spec: 'x' }],
];

for (const [name, pod] of cases) {
  test(`slim pod waits exactly as the full one: ${name}`, () => {
    const slim = slimPod(pod);
    assert.deepEqual(waitingContainers(slim), waitingContainers(pod));
    // kubeWatch names the image of `Error: ErrImagePull` from the kept pod's spec
    const spec = (p: unknown) => (p as { spec?: { containers?: Array<{ name: string; image: string }> } }).spec?.containers;
    if (waitingContainers(pod).length > 0)
      assert.deepEqual(
        spec(slim)?.map((c) => [c.name, c.image]),
        spec(pod)?.map((c) => [c.name, c.image]),
      );
  });
}

test('a running pod keeps its identity, resourceVersion, node, images and states (events about it are checked against them); the rest goes', () => {
  const pod = realisticPod(7, 'node-1');
  const slim = slimPod(pod) as unknown as { metadata: Record<string, unknown>; spec: Record<string, unknown>; status?: unknown };
  assert.deepEqual(slim.metadata, {
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
    uid: pod.metadata.uid,
    resourceVersion: '100007',
  });
  assert.equal(slim.spec.nodeName, 'node-1');
  assert.deepEqual(
    (slim.spec.containers as Array<{ name: string; image: string }>).map((c) => [c.name, c.image]),
    (pod.spec as { containers: Array<{ name: string; image: string }> }).containers.map((c) => [c.name, c.image]),
  );
  const full = JSON.stringify(pod).length;
  assert.ok(full > 6000, `a realistic pod is ${full} bytes of JSON`);
  const running = JSON.stringify(slim).length;
  assert.ok(running < 900, `a running pod keeps ${running} bytes`);
  const waiting = JSON.stringify(slimPod(realisticPod(8, 'node-1', { waiting: { reason: 'ContainerCreating' } }))).length;
  assert.ok(waiting < 900, `a waiting pod keeps ${waiting} bytes`);
});
