import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyMessage, containerOf, parseKubeletEvent, unquoteGo } from './kubeletEvent.js';

type Row = [message: string, want: ReturnType<typeof classifyMessage>];

// Real messages from several kubelet versions (runtime-facts.md §1.5).
const rows: Row[] = [
  ['Pulling image "nginx:1.27"', { kind: 'pulling', image: 'nginx:1.27' }],
  [
    'Pulling image "registry.k8s.io/metrics-server/metrics-server:v0.8.0"',
    { kind: 'pulling', image: 'registry.k8s.io/metrics-server/metrics-server:v0.8.0' },
  ],
  ['Successfully pulled image "nginx:1.17"', { kind: 'pulled', image: 'nginx:1.17' }], // ≤1.18
  ['Successfully pulled image "nginx" in 49.657983991s', { kind: 'pulled', image: 'nginx', pullSeconds: 49.657983991 }], // 1.19–1.25
  ['Successfully pulled image "nginx" in 1m21.284220239s', { kind: 'pulled', image: 'nginx', pullSeconds: 81.284220239 }],
  [
    'Successfully pulled image "nginx:1.17" in 1.729296752s (1.729342237s including waiting)', // 1.26–1.27
    { kind: 'pulled', image: 'nginx:1.17', pullSeconds: 1.729296752, pullWithWaitingSeconds: 1.729342237 },
  ],
  [
    'Successfully pulled image "nginx:1.25" in 1.677s (1.677s including waiting)', // 1.28–1.29
    { kind: 'pulled', image: 'nginx:1.25', pullSeconds: 1.677, pullWithWaitingSeconds: 1.677 },
  ],
  [
    'Successfully pulled image "busybox" in 599ms (599ms including waiting)',
    { kind: 'pulled', image: 'busybox', pullSeconds: 0.599, pullWithWaitingSeconds: 0.599 },
  ],
  [
    'Successfully pulled image "ghcr.io/actions/actions-runner:latest" in 796ms (1.594s including waiting). Image size: 543804759 bytes.', // 1.30+
    {
      kind: 'pulled',
      image: 'ghcr.io/actions/actions-runner:latest',
      pullSeconds: 0.796,
      pullWithWaitingSeconds: 1.594,
      imageBytes: 543804759,
    },
  ],
  [
    'Successfully pulled image "127.0.0.1:5000/pulltrace/tiny:v1" in 12µs (12µs including waiting). Image size: 0 bytes.',
    { kind: 'pulled', image: '127.0.0.1:5000/pulltrace/tiny:v1', pullSeconds: 12e-6, pullWithWaitingSeconds: 12e-6, imageBytes: 0 },
  ],
  ['Container image "busybox:1.36" already present on machine', { kind: 'alreadyPresent', image: 'busybox:1.36' }],
  [
    'Container image "curlimages/curl:8.21.0" already present on machine and can be accessed by the pod', // 1.35
    { kind: 'alreadyPresent', image: 'curlimages/curl:8.21.0' },
  ],
  [
    'Failed to pull image "redis:alpin": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/redis:alpin": failed to resolve reference "docker.io/library/redis:alpin": docker.io/library/redis:alpin: not found',
    { kind: 'pullFailed', image: 'redis:alpin', errorName: 'ErrImagePull' },
  ],
  [
    'Failed to pull image "nginix:1.14.2": rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/nginix:1.14.2": failed to resolve reference "docker.io/library/nginix:1.14.2": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    { kind: 'pullFailed', image: 'nginix:1.14.2', errorName: 'ErrImagePull' },
  ],
  [
    'Failed to pull image "ngix": failed to pull and unpack image "docker.io/library/ngix:latest": failed to resolve reference "docker.io/library/ngix:latest": pull access denied', // 1.28+
    { kind: 'pullFailed', image: 'ngix', errorName: 'ErrImagePull' },
  ],
  [
    'Failed to pull image "curlimages/curl:8.12.1": rpc error: code = DeadlineExceeded desc = failed to pull and unpack image "docker.io/curlimages/curl:8.12.1": failed to resolve reference "docker.io/curlimages/curl:8.12.1": failed to do request: Head "https://registry-1.docker.io/v2/curlimages/curl/manifests/8.12.1": dial tcp 199.96.58.15:443: i/o timeout',
    { kind: 'pullFailed', image: 'curlimages/curl:8.12.1', errorName: 'ErrImagePull' },
  ],
  ['Error: ErrImagePull', { kind: 'errorCompanion', image: '', errorName: 'ErrImagePull' }],
  ['Error: ImagePullBackOff', { kind: 'errorCompanion', image: '', errorName: 'ImagePullBackOff' }],
  ['Error: ErrImageNeverPull', { kind: 'errorCompanion', image: '', errorName: 'ErrImageNeverPull' }],
  ['Error: InvalidImageName', { kind: 'errorCompanion', image: '', errorName: 'InvalidImageName' }],
  ['Error: CreateContainerConfigError', { kind: 'other', image: '' }],
  ['Back-off pulling image "busybox:1.36.1"', { kind: 'backOff', image: 'busybox:1.36.1', errorName: 'ImagePullBackOff' }],
  [
    'Container image "log-pipeline-api:latest" is not present with pull policy of Never',
    { kind: 'neverPull', image: 'log-pipeline-api:latest', errorName: 'ErrImageNeverPull' },
  ],
  [
    'Failed to apply default image tag "busyBOX": couldn\'t parse image reference "busyBOX": invalid reference format: repository name must be lowercase',
    { kind: 'inspectFailed', image: 'busyBOX', errorName: 'InvalidImageName' },
  ],
  [
    'Failed to apply default image tag "hfhugs/unsloth-gemma-3-4b-it-GGUF:Q4_K_XL": couldn\'t parse image name "hfhugs/unsloth-gemma-3-4b-it-GGUF:Q4_K_XL": invalid reference format: repository name (hfhugs/unsloth-gemma-3-4b-it-GGUF) must be lowercase',
    { kind: 'inspectFailed', image: 'hfhugs/unsloth-gemma-3-4b-it-GGUF:Q4_K_XL', errorName: 'InvalidImageName' },
  ],
  ['Failed to inspect image "": rpc error: code = Unavailable', { kind: 'inspectFailed', image: '', errorName: 'ImageInspectError' }],
  ['Back-off restarting failed container app in pod web_default(1234)', { kind: 'other', image: '' }],
  ['Started container app', { kind: 'other', image: '' }],
  ['Pulling image nginx', { kind: 'other', image: '' }], // not quoted: not the kubelet format
];
for (const [message, want] of rows) {
  test(`classify ${message.slice(0, 70)}`, () => assert.deepEqual(classifyMessage(message), want));
}

test('unquoteGo reads Go %q escapes and stops at the closing quote', () => {
  assert.deepEqual(unquoteGo('"a\\"b\\\\c\\x41\\u00e9" tail'), { value: 'a"b\\cAé', rest: ' tail' });
  assert.equal(unquoteGo('"unterminated'), undefined);
  assert.equal(unquoteGo('no quote'), undefined);
  assert.equal(unquoteGo('"bad \\q escape"'), undefined);
});

test('containerOf reads field paths', () => {
  assert.deepEqual(containerOf('spec.containers{app}'), { container: 'app', init: false });
  assert.deepEqual(containerOf('spec.initContainers{setup}'), { container: 'setup', init: true });
  assert.deepEqual(containerOf('spec.ephemeralContainers{debug}'), { container: 'debug', init: false });
  assert.deepEqual(containerOf('spec.containers[0]'), { container: '', init: false });
  assert.deepEqual(containerOf(''), { container: '', init: false });
});

const coreEvent = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web-1.17f3a2b4c5d6e7f8', namespace: 'shop', uid: 'ev-1', resourceVersion: '42' },
  involvedObject: {
    kind: 'Pod',
    apiVersion: 'v1',
    namespace: 'shop',
    name: 'web-1',
    uid: 'pod-uid-1',
    resourceVersion: '41',
    fieldPath: 'spec.initContainers{setup}',
  },
  reason: 'Failed',
  message:
    '(combined from similar events): Failed to pull image "busybox:1.36.1": failed to pull and unpack image "docker.io/library/busybox:1.36.1": not found',
  source: { component: 'kubelet', host: 'worker-1' },
  firstTimestamp: '2026-11-27T10:00:00Z',
  lastTimestamp: '2026-11-27T10:05:00Z',
  count: 3,
  type: 'Warning',
  eventTime: null,
  reportingComponent: 'kubelet',
  reportingInstance: 'worker-1',
};

test('parseKubeletEvent reads a core/v1 Event and strips the aggregation prefix', () => {
  assert.deepEqual(parseKubeletEvent(coreEvent), {
    kind: 'pullFailed',
    image: 'busybox:1.36.1',
    errorName: 'ErrImagePull',
    nodeName: 'worker-1',
    namespace: 'shop',
    eventNamespace: 'shop',
    podName: 'web-1',
    podUid: 'pod-uid-1',
    container: 'setup',
    init: true,
    message: 'Failed to pull image "busybox:1.36.1": failed to pull and unpack image "docker.io/library/busybox:1.36.1": not found',
    reason: 'Failed',
    at: Date.parse('2026-11-27T10:05:00Z'),
    eventUid: 'ev-1',
    count: 3,
  });
});

test('parseKubeletEvent reads the events.k8s.io/v1 shape', () => {
  const v1 = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web-1.17f3a2b4c5d6e7f8', namespace: 'shop', uid: 'ev-2' },
    regarding: { kind: 'Pod', namespace: 'shop', name: 'web-1', uid: 'pod-uid-1', fieldPath: 'spec.containers{app}' },
    reason: 'Pulling',
    note: 'Pulling image "nginx:1.27"',
    deprecatedSource: { component: 'kubelet', host: 'worker-2' },
    deprecatedFirstTimestamp: '2026-11-27T10:00:00Z',
    deprecatedLastTimestamp: '2026-11-27T10:00:01Z',
    deprecatedCount: 1,
    type: 'Normal',
    reportingController: 'kubelet',
    reportingInstance: 'worker-2',
  };
  const got = parseKubeletEvent(v1);
  assert.equal(got?.kind, 'pulling');
  assert.equal(got?.image, 'nginx:1.27');
  assert.equal(got?.nodeName, 'worker-2');
  assert.equal(got?.container, 'app');
  assert.equal(got?.init, false);
  assert.equal(got?.at, Date.parse('2026-11-27T10:00:01Z'));
  assert.equal(got?.count, 1);
});

test("parseKubeletEvent keeps the Event's own namespace apart from its pod's (an eventTime Event may name another namespace)", () => {
  const foreign = {
    ...coreEvent,
    metadata: { ...coreEvent.metadata, namespace: 'attacker' },
    eventTime: '2026-11-27T10:05:00.000000Z',
    action: 'Pulling',
  };
  const got = parseKubeletEvent(foreign);
  assert.equal(got?.namespace, 'shop');
  assert.equal(got?.eventNamespace, 'attacker');
  const bareInvolved = { ...coreEvent, involvedObject: { ...coreEvent.involvedObject, namespace: undefined } };
  assert.equal(parseKubeletEvent(bareInvolved)?.namespace, 'shop', 'no involvedObject.namespace: the Event’s own');
});

test('parseKubeletEvent accepts Date timestamps (list items deserialized by the client)', () => {
  const got = parseKubeletEvent({ ...coreEvent, lastTimestamp: new Date('2026-11-27T11:00:00Z') });
  assert.equal(got?.at, Date.parse('2026-11-27T11:00:00Z'));
});

test('parseKubeletEvent reads pre-1.28 events with empty reportingComponent', () => {
  const got = parseKubeletEvent({ ...coreEvent, reportingComponent: '', reportingInstance: '' });
  assert.equal(got?.nodeName, 'worker-1');
  assert.equal(got?.kind, 'pullFailed');
});

test('parseKubeletEvent ignores other components and non-pod objects', () => {
  assert.equal(parseKubeletEvent({ ...coreEvent, source: { component: 'default-scheduler' }, reportingComponent: '' }), undefined);
  assert.equal(parseKubeletEvent({ ...coreEvent, involvedObject: { ...coreEvent.involvedObject, kind: 'Node' } }), undefined);
  assert.equal(parseKubeletEvent(null), undefined);
  assert.equal(parseKubeletEvent('text'), undefined);
});

test('parseKubeletEvent falls back to creation time, then to now', () => {
  const bare = { ...coreEvent, firstTimestamp: null, lastTimestamp: null, count: undefined };
  assert.equal(parseKubeletEvent(bare, 123)?.at, 123);
  assert.equal(parseKubeletEvent(bare, 123)?.count, 1);
  const created = { ...bare, metadata: { ...coreEvent.metadata, creationTimestamp: '2026-11-27T09:00:00Z' } };
  assert.equal(parseKubeletEvent(created, 123)?.at, Date.parse('2026-11-27T09:00:00Z'));
});
