// The watch believes a kubelet Event only when its pod agrees (kubeletEventCheck.ts), through the
// real client against the fake API server: forged events are reported as rejected and never passed
// on; an event that arrives before its pod (separate watches) waits for it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { startKubeWatch } from '../../../src/k8s/client/index.js';
import type { KubeSignal, KubeWatch, RejectedEvent } from '../../../src/k8s/index.js';
import { createLogger } from '../../../src/log/index.js';
import { collector } from './collector.js';
import { FakeKubeApi, kubeletEvent, kubeletMessages, podObject, writeKubeconfig } from './index.js';

async function setup(t: TestContext) {
  const api = await FakeKubeApi.start();
  const dir = await mkdtemp(join(tmpdir(), 'kube-check-'));
  let watch: KubeWatch | undefined;
  t.after(async () => {
    await watch?.close();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });
  const rejected = collector<RejectedEvent>();
  const env = { KUBECONFIG: await writeKubeconfig(dir, api.url), HOME: dir };
  watch = await startKubeWatch({ kubernetes: 'auto', watchNamespaces: [] }, createLogger('error'), env, {
    backoff: { initialMs: 50, maxMs: 400 },
    holdEventsMs: 5_000,
    onEventRejected: (r) => rejected.push(r),
  });
  assert.ok(watch);
  const signals = collector<KubeSignal>();
  watch.onSignal((s) => signals.push(s));
  return { api, watch, signals, rejected };
}

const IMAGE = '127.0.0.1:5000/shop/web:1.0';

test('forged events are rejected with their reason and never passed on', async (t) => {
  const { api, signals, rejected } = await setup(t);
  const pod = api.apply(podObject({ name: 'web', namespace: 'shop', nodeName: 'node-a', containers: [{ name: 'app', image: IMAGE }] }));
  const failed = kubeletMessages.failed(IMAGE, 'not found');
  api.apply(kubeletEvent({ pod, container: 'app', node: 'node-b', reason: 'Failed', message: failed }));
  api.apply(
    kubeletEvent({ pod: { name: 'ghost', namespace: 'shop' }, container: 'app', node: 'node-a', reason: 'Failed', message: failed }),
  );
  api.apply(kubeletEvent({ pod, container: 'app', node: 'node-a', reason: 'Pulling', message: kubeletMessages.pulling('evil:1') }));
  api.apply(
    kubeletEvent({ pod, container: 'app', init: true, node: 'node-a', reason: 'Pulling', message: kubeletMessages.pulling(IMAGE) }),
  );
  await rejected.waitFor(4, 'rejections (after the 5 s hold)', 30_000);
  assert.deepEqual(rejected.items.map((r) => `${r.podName}:${r.nodeName}:${r.reason}`).sort(), [
    'ghost:node-a:pod_absent',
    'web:node-a:image_not_in_pod',
    'web:node-a:image_not_in_pod',
    'web:node-b:wrong_node',
  ]);
  // the real one, last on the same watch, is the only signal
  api.apply(kubeletEvent({ pod, container: 'app', node: 'node-a', reason: 'Pulling', message: kubeletMessages.pulling(IMAGE) }));
  await signals.waitFor(1, 'the real Pulling event');
  assert.deepEqual(
    signals.items.map((s) => `${s.kind}:${s.nodeName}:${s.image}`),
    [`pulling:node-a:${IMAGE}`],
  );
});

test('an event that arrives before its pod is held and passed on once the pod agrees', async (t) => {
  const { api, signals, rejected } = await setup(t);
  const known = api.apply(podObject({ name: 'known', namespace: 'shop', nodeName: 'node-a', containers: [{ name: 'app', image: IMAGE }] }));
  // The event of a pod the watch has not seen yet, then a marker event of a known pod on the same
  // watch: once the marker is passed on, the first event was seen (in order) and held.
  const podRef = { name: 'late', namespace: 'shop', uid: 'uid-late' };
  api.apply(kubeletEvent({ pod: podRef, container: 'app', node: 'node-a', reason: 'Pulling', message: kubeletMessages.pulling(IMAGE) }));
  api.apply(kubeletEvent({ pod: known, container: 'app', node: 'node-a', reason: 'Pulling', message: kubeletMessages.pulling(IMAGE) }));
  await signals.waitFor(1, 'the marker');
  assert.deepEqual(
    signals.items.map((s) => s.podName),
    ['known'],
    'the early event is held, not passed on',
  );
  api.apply(podObject({ ...podRef, nodeName: 'node-a', containers: [{ name: 'app', image: IMAGE }] }));
  await signals.waitFor(2, 'the held event');
  assert.equal(signals.items[1]?.podName, 'late');
  assert.equal(rejected.items.length, 0);
});
