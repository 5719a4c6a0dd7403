import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitingContainers } from './podWaiting.js';

type State = Record<string, unknown> | undefined;
interface C {
  name: string;
  image: string;
  state?: State;
  restartPolicy?: string;
}
const waiting = (reason: string, message?: string): State => ({ waiting: message ? { reason, message } : { reason } });
const running: State = { running: { startedAt: '2026-11-27T10:00:00Z' } };
const done: State = { terminated: { exitCode: 0, reason: 'Completed' } };
const crashed: State = { terminated: { exitCode: 1, reason: 'Error' } };

function pod(opts: { node?: string; init?: C[]; app: C[]; phase?: string; initialized?: boolean; noStatus?: boolean }) {
  const status = (cs: C[]) =>
    cs
      .filter((c) => c.state !== undefined)
      .map((c) => ({ name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, state: c.state }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-1' },
    spec: {
      nodeName: opts.node,
      initContainers: opts.init?.map((c) => ({ name: c.name, image: c.image, restartPolicy: c.restartPolicy })),
      containers: opts.app.map((c) => ({ name: c.name, image: c.image })),
    },
    status: opts.noStatus
      ? {}
      : {
          phase: opts.phase ?? 'Pending',
          conditions: opts.initialized === undefined ? [] : [{ type: 'Initialized', status: opts.initialized ? 'True' : 'False' }],
          initContainerStatuses: opts.init ? status(opts.init) : undefined,
          containerStatuses: status(opts.app),
        },
  };
}

const summary = (p: unknown) => waitingContainers(p).map((w) => `${w.init ? 'init:' : ''}${w.container}=${w.image}/${w.reason}`);

test('unscheduled pods wait on nothing', () => {
  assert.deepEqual(summary(pod({ app: [{ name: 'app', image: 'nginx', state: waiting('ContainerCreating') }] })), []);
});

test('a creating container waits on its image, with every field filled', () => {
  assert.deepEqual(
    waitingContainers(pod({ node: 'n1', app: [{ name: 'app', image: 'nginx:1.27', state: waiting('ContainerCreating') }] })),
    [
      {
        namespace: 'shop',
        podName: 'web-1',
        podUid: 'uid-1',
        nodeName: 'n1',
        container: 'app',
        init: false,
        image: 'nginx:1.27',
        reason: 'ContainerCreating',
      },
    ],
  );
});

test('a scheduled pod with no status yet: containers wait with the default reason', () => {
  assert.deepEqual(
    summary(
      pod({
        node: 'n1',
        noStatus: true,
        app: [
          { name: 'a', image: 'x' },
          { name: 'b', image: 'y' },
        ],
      }),
    ),
    ['a=x/ContainerCreating', 'b=y/ContainerCreating'],
  );
  assert.deepEqual(
    summary(pod({ node: 'n1', noStatus: true, init: [{ name: 'i', image: 'busybox' }], app: [{ name: 'a', image: 'x' }] })),
    ['init:i=busybox/PodInitializing'],
  );
});

test('while an init container is pulling, the app containers wait on it, not on their images', () => {
  const p = pod({
    node: 'n1',
    initialized: false,
    init: [{ name: 'setup', image: 'busybox:1.36', state: waiting('PodInitializing') }],
    app: [{ name: 'app', image: 'big:v1', state: waiting('PodInitializing') }],
  });
  assert.deepEqual(summary(p), ['init:setup=busybox:1.36/PodInitializing']);
});

test('while an init container runs (its image was present), nothing waits on a pull', () => {
  const p = pod({
    node: 'n1',
    initialized: false,
    init: [{ name: 'setup', image: 'busybox:1.36', state: running }],
    app: [{ name: 'app', image: 'big:v1', state: waiting('PodInitializing') }],
  });
  assert.deepEqual(summary(p), []);
});

test('after init, the app container waits on its image (PodInitializing) and the init container is not attributed', () => {
  const p = pod({
    node: 'n1',
    initialized: true,
    init: [{ name: 'setup', image: 'busybox:1.36', state: done }],
    app: [{ name: 'app', image: 'big:v1', state: waiting('PodInitializing') }],
  });
  assert.deepEqual(summary(p), ['app=big:v1/PodInitializing']);
});

test('init containers run in order: only the first unfinished one can be pulling', () => {
  const p = pod({
    node: 'n1',
    init: [
      { name: 'one', image: 'a', state: done },
      {
        name: 'two',
        image: 'b',
        state: waiting('ErrImagePull', 'failed to pull and unpack image "docker.io/library/b:latest": not found'),
      },
      { name: 'three', image: 'c', state: waiting('PodInitializing') },
    ],
    app: [{ name: 'app', image: 'd', state: waiting('PodInitializing') }],
  });
  const got = waitingContainers(p);
  assert.deepEqual(
    got.map((w) => [w.container, w.reason, w.message]),
    [['two', 'ErrImagePull', 'failed to pull and unpack image "docker.io/library/b:latest": not found']],
  );
});

test('a failed init container (exit 1) blocks the rest; it waits on nothing', () => {
  const p = pod({
    node: 'n1',
    init: [{ name: 'one', image: 'a', state: crashed }],
    app: [{ name: 'app', image: 'd', state: waiting('PodInitializing') }],
  });
  assert.deepEqual(summary(p), []);
});

test('a running sidecar init container lets the next init container start', () => {
  const p = pod({
    node: 'n1',
    init: [
      { name: 'proxy', image: 'envoy', restartPolicy: 'Always', state: running },
      { name: 'migrate', image: 'tool:2', state: waiting('PodInitializing') },
    ],
    app: [{ name: 'app', image: 'd', state: waiting('PodInitializing') }],
  });
  assert.deepEqual(summary(p), ['init:migrate=tool:2/PodInitializing']);
});

test('pull failures and back-off wait; running, crash loops and other reasons do not', () => {
  const p = pod({
    node: 'n1',
    app: [
      { name: 'a', image: 'x', state: waiting('ErrImagePull') },
      { name: 'b', image: 'y', state: waiting('ImagePullBackOff', 'Back-off pulling image "y": ErrImagePull: not found') },
      { name: 'c', image: 'z', state: running },
      { name: 'd', image: 'w', state: waiting('CrashLoopBackOff') },
      { name: 'e', image: 'v', state: waiting('CreateContainerConfigError') },
      { name: 'f', image: 'u', state: waiting('ContainerCreating') },
    ],
  });
  assert.deepEqual(summary(p), ['a=x/ErrImagePull', 'b=y/ImagePullBackOff', 'f=u/ContainerCreating']);
});

test('finished pods wait on nothing', () => {
  assert.deepEqual(summary(pod({ node: 'n1', phase: 'Failed', app: [{ name: 'a', image: 'x', state: waiting('ErrImagePull') }] })), []);
});

test('app containers that already ran mean init is over even without init statuses', () => {
  const p = pod({
    node: 'n1',
    init: [{ name: 'setup', image: 'busybox' }],
    app: [
      { name: 'a', image: 'x', state: running },
      { name: 'b', image: 'y', state: waiting('ImagePullBackOff') },
    ],
  });
  assert.deepEqual(summary(p), ['b=y/ImagePullBackOff']);
});

test('garbage input gives no containers and does not throw', () => {
  assert.deepEqual(waitingContainers(undefined), []);
  assert.deepEqual(waitingContainers({ spec: { nodeName: 'n1', containers: 'nope' } }), []);
});
