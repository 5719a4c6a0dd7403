import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoreV1Api, EventsV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { parseKubeletEvent, waitingContainers } from '../../../src/k8s/index.js';
import { collector } from './collector.js';
import { FakeKubeApi, kubeletEvent, kubeletMessages, podObject, writeKubeconfig } from './index.js';

async function setup(t: import('node:test').TestContext, options: { token?: string } = {}) {
  const api = await FakeKubeApi.start(options);
  const dir = await mkdtemp(join(tmpdir(), 'fake-kube-'));
  t.after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });
  const kc = new KubeConfig();
  kc.loadFromFile(await writeKubeconfig(dir, api.url, options.token ? { token: options.token } : {}));
  return { api, kc, core: kc.makeApiClient(CoreV1Api) };
}

test('lists pods through the real client, cluster-wide and per namespace, with the list resourceVersion', async (t) => {
  const { api, core } = await setup(t);
  api.apply(podObject({ name: 'a', namespace: 'one', nodeName: 'n1', containers: [{ name: 'app', image: 'nginx:1.27' }] }));
  api.apply(podObject({ name: 'b', namespace: 'two', containers: [{ name: 'app', image: 'redis' }] }));

  const all = await core.listPodForAllNamespaces();
  assert.deepEqual(
    all.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`),
    ['one/a', 'two/b'],
  );
  assert.equal(all.metadata?.resourceVersion, String(api.resourceVersion));
  const one = await core.listNamespacedPod({ namespace: 'one' });
  assert.deepEqual(
    one.items.map((p) => p.metadata?.name),
    ['a'],
  );
  // the client deserializes real field names: spec, status, waiting reason
  assert.equal(one.items[0]?.spec?.nodeName, 'n1');
  assert.equal(one.items[0]?.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
  const single = await core.readNamespacedPod({ namespace: 'one', name: 'a' });
  assert.equal(single.spec?.containers[0]?.image, 'nginx:1.27');
  await assert.rejects(core.readNamespacedPod({ namespace: 'one', name: 'zzz' }), (err: { code?: number }) => err.code === 404);
});

test('field selectors filter events (source=kubelet) and unknown field labels are refused like a real server', async (t) => {
  const { api, core } = await setup(t);
  const pod = podObject({ name: 'web', namespace: 'shop', nodeName: 'n1', containers: [{ name: 'app', image: 'nginx' }] });
  api.apply(kubeletEvent({ pod, container: 'app', node: 'n1', reason: 'Pulling', message: kubeletMessages.pulling('nginx') }));
  const scheduler = kubeletEvent({
    pod,
    container: 'app',
    node: 'n1',
    reason: 'Scheduled',
    message: 'Successfully assigned shop/web to n1',
  });
  api.apply({ ...scheduler, source: { component: 'default-scheduler' }, reportingComponent: 'default-scheduler' });

  const kubelet = await core.listEventForAllNamespaces({ fieldSelector: 'source=kubelet' });
  assert.deepEqual(
    kubelet.items.map((e) => e.reason),
    ['Pulling'],
  );
  const all = await core.listNamespacedEvent({ namespace: 'shop' });
  assert.equal(all.items.length, 2);
  await assert.rejects(core.listEventForAllNamespaces({ fieldSelector: 'nonsense=1' }), (err: { code?: number; body?: string }) => {
    return err.code === 400 && String(err.body).includes('field label not supported: nonsense');
  });
});

test('events.k8s.io/v1 serves the same events in the new shape', async (t) => {
  const { api, kc } = await setup(t);
  const pod = podObject({ name: 'web', namespace: 'shop', nodeName: 'n1', containers: [{ name: 'app', image: 'nginx' }] });
  api.apply(kubeletEvent({ pod, container: 'app', node: 'n1', reason: 'Pulling', message: kubeletMessages.pulling('nginx') }));
  const list = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: 'shop' });
  assert.equal(list.items[0]?.note, 'Pulling image "nginx"');
  assert.equal(list.items[0]?.deprecatedSource?.host, 'n1');
  assert.equal(list.items[0]?.regarding?.fieldPath, 'spec.containers{app}');
  assert.equal(parseKubeletEvent(list.items[0])?.kind, 'pulling');

  // a watch without a version starts with the current objects as ADDED
  const ctrl = new AbortController();
  t.after(() => ctrl.abort());
  const res = await fetch(`${api.url}/apis/events.k8s.io/v1/namespaces/shop/events?watch=true`, { signal: ctrl.signal });
  const first = JSON.parse(new TextDecoder().decode((await res.body!.getReader().read()).value));
  assert.equal(first.type, 'ADDED');
  assert.equal(first.object.apiVersion, 'events.k8s.io/v1');
  assert.equal(first.object.note, 'Pulling image "nginx"');
});

test('a bearer token is required when configured', async (t) => {
  const { api, core } = await setup(t, { token: 's3cret' });
  assert.equal((await core.listPodForAllNamespaces()).items.length, 0);
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: 'c', server: api.url, skipTLSVerify: true }, { name: 'u', token: 'wrong' });
  await assert.rejects(kc.makeApiClient(CoreV1Api).listPodForAllNamespaces(), (err: { code?: number }) => err.code === 401);
});

test('watch streams chunked JSON lines from a resourceVersion, and 410 Expired after compaction', async (t) => {
  const { api } = await setup(t);
  api.apply(podObject({ name: 'a', containers: [{ name: 'app', image: 'x' }] }));
  const from = api.resourceVersion;
  api.apply(podObject({ name: 'b', containers: [{ name: 'app', image: 'y' }] }));

  const ctrl = new AbortController();
  t.after(() => ctrl.abort());
  const res = await fetch(`${api.url}/api/v1/namespaces/default/pods?watch=true&resourceVersion=${from}`, { signal: ctrl.signal });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('transfer-encoding'), 'chunked');
  const reader = res.body!.getReader();
  const first = JSON.parse(new TextDecoder().decode((await reader.read()).value));
  // replay starts after `from`: only b
  assert.equal(first.type, 'ADDED');
  assert.equal(first.object.metadata.name, 'b');
  assert.equal(first.object.kind, 'Pod');
  api.delete('pods', 'default', 'a');
  const second = JSON.parse(new TextDecoder().decode((await reader.read()).value));
  assert.equal(second.type, 'DELETED');
  assert.equal(second.object.metadata.name, 'a');
  assert.equal(second.object.metadata.resourceVersion, String(api.resourceVersion));

  api.expireResourceVersions();
  const expired = await fetch(`${api.url}/api/v1/pods?watch=1&resourceVersion=${from}`);
  const line = JSON.parse((await expired.text()).trim());
  assert.deepEqual(line, {
    type: 'ERROR',
    object: {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: line.object.message,
      reason: 'Expired',
      code: 410,
    },
  });
});

test('an informer built by makeInformer lists, watches, and relists after a drop + 410 without repeating unchanged objects', async (t) => {
  const { api, kc, core } = await setup(t);
  api.apply(podObject({ name: 'a', nodeName: 'n1', containers: [{ name: 'app', image: 'x' }] }));
  const informer = makeInformer<V1Pod>(kc, '/api/v1/pods', () => core.listPodForAllNamespaces());
  const added = collector<string>();
  const updated = collector<string>();
  const deleted = collector<string>();
  informer.on('add', (p) => added.push(p.metadata?.name ?? ''));
  informer.on('update', (p) => updated.push(p.metadata?.name ?? ''));
  informer.on('delete', (p) => deleted.push(p.metadata?.name ?? ''));
  t.after(() => informer.stop());
  await informer.start();
  await api.waitForWatches(1, 'pods');
  assert.deepEqual(added.items, ['a']);

  api.apply(podObject({ name: 'b', nodeName: 'n1', containers: [{ name: 'app', image: 'y' }] }));
  await added.waitFor(2, 'adds');
  api.apply(podObject({ name: 'a', nodeName: 'n1', containers: [{ name: 'app', image: 'x', state: { running: {} } }] }));
  await updated.waitFor(1, 'updates');

  // compaction + a cleanly ended watch: the informer re-watches, gets 410, relists
  const lists = api.requests.filter((r) => !r.watch).length;
  api.expireResourceVersions();
  api.dropWatches({ graceful: true });
  // changed while no watch is open: only the relist can tell
  api.delete('pods', 'default', 'b');
  api.apply(podObject({ name: 'c', nodeName: 'n1', containers: [{ name: 'app', image: 'z' }] }));
  await added.waitFor(3, 'adds after relist');
  await deleted.waitFor(1, 'deletes after relist');
  await api.waitForWatches(1, 'pods');
  assert.equal(api.requests.filter((r) => !r.watch).length, lists + 1, 'exactly one relist');
  assert.deepEqual(added.items, ['a', 'b', 'c']);
  assert.deepEqual(updated.items, ['a']);
  assert.deepEqual(deleted.items, ['b']);
});

test('builders make pods the waiting rules read as the kubelet would report them', () => {
  const pending = podObject({
    name: 'web',
    namespace: 'shop',
    nodeName: 'n1',
    initContainers: [{ name: 'setup', image: 'busybox:1.36', state: { terminated: { exitCode: 0 } } }],
    containers: [{ name: 'app', image: 'big:v1' }],
  });
  assert.equal((pending.status as { phase: string }).phase, 'Pending');
  assert.deepEqual(
    waitingContainers(pending).map((w) => [w.container, w.reason]),
    [['app', 'PodInitializing']],
  );
  const unscheduled = podObject({ name: 'later', containers: [{ name: 'app', image: 'x' }] });
  assert.equal((unscheduled.status as { containerStatuses?: unknown }).containerStatuses, undefined);
  const running = podObject({ name: 'up', nodeName: 'n1', containers: [{ name: 'app', image: 'x', state: { running: {} } }] });
  assert.equal((running.status as { phase: string }).phase, 'Running');
  assert.deepEqual(waitingContainers(running), []);

  const ev = kubeletEvent({
    pod: pending,
    container: 'setup',
    init: true,
    node: 'n1',
    reason: 'Failed',
    message: kubeletMessages.errorCompanion('ErrImagePull'),
  });
  assert.match(ev.metadata.name, /^web\.[0-9a-f]+$/);
  assert.equal(ev.type, 'Warning');
  const parsed = parseKubeletEvent(ev);
  assert.equal(parsed?.kind, 'errorCompanion');
  assert.equal(parsed?.init, true);
  assert.equal(parsed?.podUid, pending.metadata.uid);
  assert.equal(
    kubeletMessages.pulled('nginx', { seconds: 81.284, waitingSeconds: 82.5, bytes: 1234 }),
    'Successfully pulled image "nginx" in 1m21.284s (1m22.5s including waiting). Image size: 1234 bytes.',
  );
});

test('lists are paged with limit and continue, every page at the first page resourceVersion', async (t) => {
  const { api, core } = await setup(t);
  for (const name of ['e', 'a', 'd', 'b', 'c'])
    api.apply(podObject({ name, nodeName: 'n1', containers: [{ name: 'app', image: 'nginx' }] }));
  const rv = String(api.resourceVersion);
  const first = await core.listPodForAllNamespaces({ limit: 2 });
  assert.deepEqual(
    first.items.map((p) => p.metadata?.name),
    ['a', 'b'],
  );
  assert.equal(first.metadata?.remainingItemCount, 3);
  api.apply(podObject({ name: 'f', nodeName: 'n1', containers: [{ name: 'app', image: 'nginx' }] }));
  const second = await core.listPodForAllNamespaces({ limit: 2, _continue: first.metadata?._continue });
  assert.deepEqual(
    second.items.map((p) => p.metadata?.name),
    ['c', 'd'],
  );
  assert.equal(second.metadata?.resourceVersion, rv, 'later pages carry the first page resourceVersion');
  const third = await core.listPodForAllNamespaces({ limit: 2, _continue: second.metadata?._continue });
  assert.deepEqual(
    third.items.map((p) => p.metadata?.name),
    ['e', 'f'],
  );
  assert.equal(third.metadata?._continue, undefined, 'the last page has no continue token');
  await assert.rejects(core.listPodForAllNamespaces({ limit: 2, _continue: 'garbage' }), /invalid continue token|400/);
});
