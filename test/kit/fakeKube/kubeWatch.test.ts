// startKubeWatch against the fake API server through the real client library.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { startKubeWatch } from '../../../src/k8s/client/index.js';
import type { KubeSignal, KubeWatch, KubeWatchOptions } from '../../../src/k8s/index.js';
import { createLogger } from '../../../src/log/index.js';
import { collector } from './collector.js';
import { FakeKubeApi, kubeletEvent, kubeletMessages, podObject, writeKubeconfig } from './index.js';

interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

function captureLogger() {
  const lines: LogLine[] = [];
  const logger = createLogger('debug', { write: (s: string) => lines.push(JSON.parse(s)) } as never);
  return { logger, lines };
}

const FAST: KubeWatchOptions = { backoff: { initialMs: 50, maxMs: 400 } };

async function setup(t: TestContext, opts: { namespaces?: string[]; before?: (api: FakeKubeApi) => void } = {}) {
  const api = await FakeKubeApi.start();
  const dir = await mkdtemp(join(tmpdir(), 'kube-watch-'));
  let watch: KubeWatch | undefined;
  t.after(async () => {
    await watch?.close();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });
  opts.before?.(api);
  const { logger, lines } = captureLogger();
  const env = { KUBECONFIG: await writeKubeconfig(dir, api.url), HOME: dir };
  watch = await startKubeWatch({ kubernetes: 'auto', watchNamespaces: opts.namespaces ?? [] }, logger, env, FAST);
  assert.ok(watch, 'a KubeWatch when a kubeconfig is found');
  const signals = collector<KubeSignal>();
  const podChanges = collector<string>();
  watch.onSignal((s) => signals.push(s));
  watch.onPodsChanged((n) => podChanges.push(n));
  return { api, watch, signals, podChanges, lines };
}

// Events are believed only when their pod runs the image they name (kubeletEventCheck.ts).
const BIG = '127.0.0.1:5000/pulltrace/big:v1';
const webPod = (state?: 'running') =>
  podObject({
    name: 'web-1',
    namespace: 'shop',
    uid: 'uid-web-1',
    nodeName: 'node-a',
    initContainers: [{ name: 'setup', image: 'busybox:1.36', state: { terminated: { exitCode: 0 } } }],
    containers: [{ name: 'app', image: BIG, ...(state ? { state: { running: {} } } : {}) }],
  });

test('off, or no configuration: undefined, with exactly one clear warning in auto mode', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kube-none-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const off = captureLogger();
  assert.equal(await startKubeWatch({ kubernetes: 'off', watchNamespaces: [] }, off.logger, { HOME: dir }), undefined);
  assert.equal(off.lines.filter((l) => l.level === 'warn').length, 0);

  const none = captureLogger();
  assert.equal(await startKubeWatch({ kubernetes: 'auto', watchNamespaces: [] }, none.logger, { HOME: dir }), undefined);
  const warnings = none.lines.filter((l) => l.level === 'warn');
  assert.equal(warnings.length, 1);
  assert.match(String(warnings[0]?.reason), /KUBECONFIG unset/);

  const missing = captureLogger();
  const env = { HOME: dir, KUBECONFIG: join(dir, 'nope.yaml') };
  assert.equal(await startKubeWatch({ kubernetes: 'auto', watchNamespaces: [] }, missing.logger, env), undefined);
  assert.match(String(missing.lines.find((l) => l.level === 'warn')?.reason), /nope\.yaml/);
});

test('waiting containers appear with normalized images and leave when the container starts or the pod goes', async (t) => {
  const { api, watch, podChanges } = await setup(t);
  api.apply(webPod());
  await podChanges.waitFor(1, 'pod change');
  assert.deepEqual(podChanges.items, ['node-a']);
  // kubelet wrote 127.0.0.1:5000/…; the agent may name the pull without the port
  assert.deepEqual(watch.waitingFor('node-a', '127.0.0.1/pulltrace/big'), [
    {
      namespace: 'shop',
      podName: 'web-1',
      podUid: 'uid-web-1',
      nodeName: 'node-a',
      container: 'app',
      init: false,
      image: '127.0.0.1:5000/pulltrace/big:v1',
      normalizedImage: '127.0.0.1:5000/pulltrace/big:v1',
      reason: 'PodInitializing',
    },
  ]);
  assert.equal(watch.waitingFor('node-a', 'docker.io/library/busybox:1.36').length, 0, 'the finished init container waits on nothing');
  assert.equal(watch.waitingFor('node-b', '127.0.0.1:5000/pulltrace/big:v1').length, 0, 'other node');
  assert.equal(watch.waitingOn('node-a').length, 1);

  api.apply(webPod('running'));
  await podChanges.waitFor(2, 'pod changes');
  assert.deepEqual(watch.waitingOn('node-a'), []);

  api.apply(webPod());
  await podChanges.waitFor(3, 'pod changes');
  api.delete('pods', 'shop', 'web-1');
  await podChanges.waitFor(4, 'pod changes');
  assert.deepEqual(watch.waitingOn('node-a'), []);
});

test('kubelet signals arrive once per occurrence, with the exact reference and the companion image filled in', async (t) => {
  const { api, watch, signals, podChanges } = await setup(t);
  const pod = api.apply(webPod());
  await podChanges.waitFor(1, 'pod change');
  const image = '127.0.0.1:5000/pulltrace/big:v1';
  const pulling = api.apply(
    kubeletEvent({ pod, container: 'app', node: 'node-a', reason: 'Pulling', message: kubeletMessages.pulling(image) }),
  );
  await signals.waitFor(1, 'signals');
  assert.equal(signals.items[0]?.kind, 'pulling');
  assert.equal(signals.items[0]?.backlog, false);
  assert.equal(watch.exactRefFor('node-a', '127.0.0.1/pulltrace/big'), image);

  const cri =
    'failed to pull and unpack image "127.0.0.1:5000/pulltrace/big:v1": failed to copy: httpReadSeeker: failed open: connection refused';
  api.apply(kubeletEvent({ pod, container: 'app', node: 'node-a', reason: 'Failed', message: kubeletMessages.failed(image, cri) }));
  api.apply(
    kubeletEvent({ pod, container: 'app', node: 'node-a', reason: 'Failed', message: kubeletMessages.errorCompanion('ErrImagePull') }),
  );
  // not from the kubelet: filtered by the field selector, and by the parser
  const scheduled = kubeletEvent({
    pod,
    container: 'app',
    node: 'node-a',
    reason: 'Scheduled',
    message: 'Successfully assigned shop/web-1 to node-a',
  });
  api.apply({ ...scheduled, source: { component: 'default-scheduler' }, reportingComponent: 'default-scheduler' });
  api.repeatEvent('shop', pulling.metadata.name);
  await signals.waitFor(4, 'signals');

  const kinds = signals.items.map((s) => `${s.kind}#${s.count}`);
  assert.deepEqual(kinds, ['pulling#1', 'pullFailed#1', 'errorCompanion#1', 'pulling#2']);
  assert.equal(signals.items[1]?.message, `Failed to pull image "${image}": ${cri}`);
  assert.equal(signals.items[1]?.nodeName, 'node-a');
  assert.equal(signals.items[2]?.image, image, 'companion event gets the image from the pod spec');
  assert.equal(signals.items[2]?.normalizedImage, image);
  assert.ok(
    api.requests.some((r) => r.path === '/api/v1/events' && r.watch && r.query.fieldSelector === 'source=kubelet'),
    'events are watched with source=kubelet',
  );
});

test('events that existed before the watch started are marked backlog', async (t) => {
  const { api, signals } = await setup(t, {
    before: (api) => {
      api.apply(
        podObject({ name: 'old', namespace: 'shop', uid: 'u-old', nodeName: 'node-a', containers: [{ name: 'app', image: 'nginx' }] }),
      );
      api.apply(
        kubeletEvent({
          pod: { name: 'old', namespace: 'shop', uid: 'u-old' },
          container: 'app',
          node: 'node-a',
          reason: 'Pulling',
          message: kubeletMessages.pulling('nginx'),
        }),
      );
    },
  });
  await signals.waitFor(1, 'backlog signal');
  assert.equal(signals.items[0]?.backlog, true);
  api.apply(podObject({ name: 'new', namespace: 'shop', uid: 'u-new', nodeName: 'node-a', containers: [{ name: 'app', image: 'redis' }] }));
  api.apply(
    kubeletEvent({
      pod: { name: 'new', namespace: 'shop', uid: 'u-new' },
      container: 'app',
      node: 'node-a',
      reason: 'Pulling',
      message: kubeletMessages.pulling('redis'),
    }),
  );
  await signals.waitFor(2, 'live signal');
  assert.equal(signals.items[1]?.backlog, false);
});

test('the namespace filter leaves other namespaces out', async (t) => {
  const { api, watch, signals, podChanges } = await setup(t, { namespaces: ['shop'] });
  const other = podObject({ name: 'x', namespace: 'other', nodeName: 'node-a', containers: [{ name: 'app', image: 'nginx:1.27' }] });
  api.apply(other);
  api.apply(
    kubeletEvent({ pod: other, container: 'app', node: 'node-a', reason: 'Pulling', message: kubeletMessages.pulling('nginx:1.27') }),
  );
  const mine = api.apply(webPod());
  api.apply(kubeletEvent({ pod: mine, container: 'app', node: 'node-a', reason: 'Pulling', message: kubeletMessages.pulling(BIG) }));
  await podChanges.waitFor(1, 'pod change');
  await signals.waitFor(1, 'signal');
  assert.deepEqual(
    watch.waitingOn('node-a').map((w) => `${w.namespace}/${w.podName}`),
    ['shop/web-1'],
  );
  assert.equal(watch.waitingFor('node-a', 'nginx:1.27').length, 0);
  assert.deepEqual(
    signals.items.map((s) => s.namespace),
    ['shop'],
  );
  const paths = new Set(api.requests.map((r) => r.path));
  assert.deepEqual([...paths].sort(), ['/api/v1/namespaces/shop/events', '/api/v1/namespaces/shop/pods']);
});

test('a cut watch connection is re-established; nothing is lost or repeated', async (t) => {
  const { api, watch, signals, podChanges, lines } = await setup(t);
  const pod = api.apply(webPod());
  api.apply(kubeletEvent({ pod, container: 'app', node: 'node-a', reason: 'Pulling', message: kubeletMessages.pulling(BIG) }));
  await signals.waitFor(1, 'signal');
  await podChanges.waitFor(1, 'pod change');

  assert.equal(api.dropWatches(), 2, 'pods and events watches were open');
  // changes while disconnected are replayed from the last resourceVersion
  api.apply(
    kubeletEvent({ pod, container: 'app', node: 'node-a', reason: 'Pulled', message: kubeletMessages.pulled(BIG, { seconds: 2.5 }) }),
  );
  api.apply(webPod('running'));
  await signals.waitFor(2, 'signal after reconnect');
  await podChanges.waitFor(2, 'pod change after reconnect');
  await api.waitForWatches(2);
  assert.deepEqual(
    signals.items.map((s) => s.kind),
    ['pulling', 'pulled'],
  );
  assert.equal(signals.items[1]?.pullSeconds, 2.5);
  assert.deepEqual(watch.waitingOn('node-a'), []);
  assert.ok(
    lines.some((l) => l.level === 'warn' && /watching .* failed; retrying/.test(l.msg)),
    'the drop is logged',
  );

  // a graceful end (API server watch timeout) re-watches as well
  api.dropWatches({ graceful: true });
  api.apply(kubeletEvent({ pod, container: 'app', node: 'node-a', reason: 'Pulling', message: kubeletMessages.pulling(BIG) }));
  await signals.waitFor(3, 'signal after graceful end');
  assert.deepEqual(
    signals.items.map((s) => s.kind),
    ['pulling', 'pulled', 'pulling'],
  );
});

test('410 Expired relists: pods deleted meanwhile leave, new events arrive once, old ones are not repeated', async (t) => {
  const { api, watch, signals, podChanges } = await setup(t);
  const pod = api.apply(webPod());
  const other = api.apply(
    podObject({ name: 'api-1', namespace: 'shop', nodeName: 'node-a', containers: [{ name: 'app', image: 'nginx:1.27' }] }),
  );
  api.apply(kubeletEvent({ pod, container: 'app', node: 'node-a', reason: 'Pulling', message: kubeletMessages.pulling(BIG) }));
  await signals.waitFor(1, 'signal');
  await podChanges.waitFor(2, 'pod changes');
  assert.equal(watch.waitingOn('node-a').length, 2);

  const listsBefore = api.requests.filter((r) => !r.watch).length;
  api.expireResourceVersions();
  api.dropWatches({ graceful: true });
  api.delete('pods', 'shop', other.metadata.name);
  api.apply(
    kubeletEvent({ pod, container: 'app', node: 'node-a', reason: 'Failed', message: kubeletMessages.errorCompanion('ErrImagePull') }),
  );
  await signals.waitFor(2, 'signal after relist');
  await podChanges.until(() => watch.waitingOn('node-a').length === 1, 'deleted pod to leave');
  await api.waitForWatches(2);

  assert.equal(api.requests.filter((r) => !r.watch).length, listsBefore + 2, 'pods and events relisted once each');
  assert.ok(
    api.requests.some((r) => r.watch && r.status === 200),
    'watches resumed',
  );
  assert.deepEqual(
    signals.items.map((s) => s.kind),
    ['pulling', 'errorCompanion'],
  );
  assert.equal(signals.items[1]?.backlog, false, 'a relist after 410 is not backlog');
  assert.deepEqual(
    watch.waitingOn('node-a').map((w) => w.podName),
    ['web-1'],
  );
});

test('an unreachable API server: startKubeWatch still resolves, warns, and retries in the background', async (t) => {
  const api = await FakeKubeApi.start();
  const url = api.url;
  await api.close();
  const dir = await mkdtemp(join(tmpdir(), 'kube-down-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { logger, lines } = captureLogger();
  const env = { KUBECONFIG: await writeKubeconfig(dir, url), HOME: dir };
  const watch = await startKubeWatch({ kubernetes: 'auto', watchNamespaces: [] }, logger, env, FAST);
  assert.ok(watch);
  t.after(() => watch.close());
  const warnings = lines.filter((l) => l.level === 'warn');
  assert.ok(warnings.length >= 1 && warnings.length <= 2, `one warning per informer (got ${warnings.length})`);
  assert.match(String(warnings[0]?.error), /ECONNREFUSED|connect/);
  assert.deepEqual(watch.waitingOn('node-a'), []);
});

test('a refused list (403) is retried with backoff and a hint about RBAC; the watch recovers when allowed', async (t) => {
  const api = await FakeKubeApi.start();
  const dir = await mkdtemp(join(tmpdir(), 'kube-rbac-'));
  let watch: KubeWatch | undefined;
  t.after(async () => {
    await watch?.close();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });
  api.apply(webPod());
  api.failRequests(403);
  const { logger, lines } = captureLogger();
  const env = { KUBECONFIG: await writeKubeconfig(dir, api.url), HOME: dir };
  watch = await startKubeWatch({ kubernetes: 'auto', watchNamespaces: [] }, logger, env, FAST);
  assert.ok(watch);
  const podChanges = collector<string>();
  watch.onPodsChanged((n) => podChanges.push(n));
  const warn = lines.find((l) => l.level === 'warn');
  assert.match(String(warn?.error), /^403: forbidden: injected by the test \(needs get\/list\/watch on pods and events/);
  // retries keep coming while refused, each after a growing delay; warnings are not repeated
  await api.waitForRequests((r) => r.status === 403, 4);
  assert.equal(
    lines.filter((l) => l.level === 'warn' && l.path === '/api/v1/pods').length,
    1,
    'one warning per informer for a repeated failure',
  );

  api.clearFailures();
  await podChanges.waitFor(1, 'pod after recovery');
  assert.equal(watch.waitingFor('node-a', '127.0.0.1:5000/pulltrace/big:v1').length, 1);
  assert.ok(
    lines.some((l) => l.level === 'info' && /watching \/api\/v1\/pods again/.test(l.msg)),
    'recovery is logged',
  );
});

test('a hung API server does not hold up startKubeWatch; lists time out and are retried until it answers', async (t) => {
  const api = await FakeKubeApi.start();
  const dir = await mkdtemp(join(tmpdir(), 'kube-hung-'));
  let watch: KubeWatch | undefined;
  t.after(async () => {
    await watch?.close();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });
  api.apply(webPod());
  api.stallRequests(true);
  const { logger, lines } = captureLogger();
  const env = { KUBECONFIG: await writeKubeconfig(dir, api.url), HOME: dir };
  watch = await startKubeWatch({ kubernetes: 'auto', watchNamespaces: [] }, logger, env, {
    ...FAST,
    startTimeoutMs: 100,
    listTimeoutMs: 300,
  });
  assert.ok(watch);
  assert.ok(lines.some((l) => l.level === 'warn' && /slow to answer/.test(l.msg)));
  const podChanges = collector<string>();
  watch.onPodsChanged((n) => podChanges.push(n));
  // the stalled lists time out and are retried
  await api.waitForRequests((r) => r.path === '/api/v1/pods' && !r.watch, 1);
  assert.ok(
    lines.some((l) => l.level === 'warn' && /no answer within 300 ms/.test(String(l.error))),
    'the list timeout is logged',
  );
  api.stallRequests(false);
  await podChanges.waitFor(1, 'pod after the API server answers');
  assert.equal(watch.waitingOn('node-a').length, 1);
});

test('a cluster larger than a list page: every page is read, and waiting pods are found on each', async (t) => {
  const { api, watch } = await setup(t, {
    before: (api) => {
      for (let i = 0; i < 250; i++) {
        // every fifth pod waits on its image; the rest run
        const waiting = i % 5 === 0;
        api.apply(
          podObject({
            name: `app-${String(i).padStart(3, '0')}`,
            namespace: 'big',
            nodeName: `node-${i % 3}`,
            containers: [{ name: 'app', image: `registry.example.com/app:${i}`, ...(waiting ? {} : { state: { running: {} } }) }],
          }),
        );
      }
    },
  });
  await api.waitForWatches(1, 'pods');
  const podLists = api.requests.filter((r) => !r.watch && r.path === '/api/v1/pods');
  assert.equal(podLists.length, 3, 'three pages of at most 100 pods');
  assert.ok(podLists.every((r) => r.query.limit === '100'));
  assert.equal(podLists.filter((r) => r.query.continue).length, 2, 'the later pages follow the continue token');
  const waiting = ['node-0', 'node-1', 'node-2'].flatMap((n) => watch.waitingOn(n));
  assert.equal(waiting.length, 50, 'the waiting pods of every page');
  assert.ok(
    waiting.some((w) => w.podName === 'app-245'),
    'including the last page',
  );
});
