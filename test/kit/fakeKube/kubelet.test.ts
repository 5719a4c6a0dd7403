// The fake kubelet's sequences, observed through startKubeWatch (real client, fake API server).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startKubeWatch } from '../../../src/k8s/client/index.js';
import type { KubeSignal, KubeWatch } from '../../../src/k8s/index.js';
import { createLogger } from '../../../src/log/index.js';
import { collector } from './collector.js';
import { FakeKubeApi, FakeKubelet, writeKubeconfig } from './index.js';

test('init container already present, app image pulled after a failure and a back-off: what the watch sees', async (t) => {
  const api = await FakeKubeApi.start();
  const dir = await mkdtemp(join(tmpdir(), 'fake-kubelet-'));
  let watch: KubeWatch | undefined;
  t.after(async () => {
    await watch?.close();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });
  const logger = createLogger('warn', { write: () => {} } as never);
  watch = await startKubeWatch(
    { kubernetes: 'auto', watchNamespaces: [] },
    logger,
    { KUBECONFIG: await writeKubeconfig(dir, api.url), HOME: dir },
    { backoff: { initialMs: 50, maxMs: 400 } },
  );
  assert.ok(watch);
  const signals = collector<KubeSignal>();
  const changes = collector<string>();
  watch.onSignal((s) => signals.push(s));
  watch.onPodsChanged((n) => changes.push(n));

  const kubelet = new FakeKubelet(api, 'node-a', { backOffWithError: true });
  const image = '127.0.0.1:5000/pulltrace/big:v1';
  const pod = kubelet.schedule({
    name: 'web-1',
    namespace: 'shop',
    initContainers: [{ name: 'setup', image: 'busybox:1.36' }],
    containers: [{ name: 'app', image }],
  });
  await changes.until(() => watch.waitingOn('node-a').length === 1, 'init container waiting');
  assert.deepEqual(
    watch.waitingOn('node-a').map((w) => [w.container, w.init, w.reason]),
    [['setup', true, 'PodInitializing']],
  );

  kubelet.alreadyPresent(pod, 'setup');
  await changes.until(() => watch.waitingOn('node-a')[0]?.container === 'app', 'app container waiting');
  assert.equal(watch.waitingFor('node-a', 'docker.io/library/busybox:1.36').length, 0, 'present init image: not attributed');

  kubelet.pulling(pod, 'app');
  const cri = `failed to pull and unpack image "${image}": failed to copy: httpReadSeeker: failed open: connection refused`;
  kubelet.failPull(pod, 'app', cri);
  await signals.waitFor(4, 'signals');
  await changes.until(() => watch.waitingOn('node-a')[0]?.reason === 'ErrImagePull', 'ErrImagePull status');
  assert.equal(watch.waitingFor('node-a', '127.0.0.1/pulltrace/big')[0]?.message, cri);

  kubelet.backOff(pod, 'app');
  kubelet.failPull(pod, 'app', cri); // the retry fails the same way: same events, count 2
  await signals.waitFor(8, 'signals');
  kubelet.pulled(pod, 'app', { seconds: 3.2, waitingSeconds: 3.5, bytes: 52_428_800 });
  await signals.waitFor(9, 'signals');
  await changes.until(() => watch.waitingOn('node-a').length === 0, 'app started');

  assert.deepEqual(
    signals.items.map((s) => `${s.kind}#${s.count}`),
    [
      'alreadyPresent#1',
      'pulling#1',
      'pullFailed#1',
      'errorCompanion#1',
      'backOff#1',
      'errorCompanion#1',
      'pullFailed#2',
      'errorCompanion#2',
      'pulled#1',
    ],
  );
  assert.ok(signals.items.every((s) => s.nodeName === 'node-a' && s.podName === 'web-1'));
  assert.equal(signals.items[3]?.image, image, 'companion image from the pod spec');
  assert.equal(signals.items[5]?.errorName, 'ImagePullBackOff');
  const pulled = signals.items[8];
  assert.equal(pulled?.pullSeconds, 3.2);
  assert.equal(pulled?.pullWithWaitingSeconds, 3.5);
  assert.equal(pulled?.imageBytes, 52_428_800);
  assert.equal(watch.exactRefFor('node-a', '127.0.0.1/pulltrace/big'), image);
});

test('a pod scheduled elsewhere or an unknown container is refused clearly', async (t) => {
  const api = await FakeKubeApi.start();
  t.after(() => api.close());
  const a = new FakeKubelet(api, 'node-a');
  const b = new FakeKubelet(api, 'node-b');
  const pod = a.schedule({ name: 'p', containers: [{ name: 'app', image: 'nginx' }] });
  assert.throws(() => b.pulling(pod, 'app'), /pod p was not scheduled here/);
  assert.throws(() => a.pulling(pod, 'nope'), /no container nope in pod p/);
});
