// The server with a fake Kubernetes API (real protocol, real client library) and a synthetic
// agent: pods on pulls, kubelet's exact names, kubelet failures, namespace filter, watch drops.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PullStatus } from '../../src/model/index.js';
import {
  FakeKubeApi,
  getJson,
  KUBE_TEST_SERVER_FLAGS,
  kubeletEvent,
  kubeletMessages,
  layer,
  MiB,
  metricValue,
  type PulltraceProcess,
  podObject,
  postReport,
  pullEntry,
  SseRecorder,
  startPulltrace,
  waitFor,
  writeKubeconfig,
} from '../kit/index.js';

const NODE = 'worker-1';
const IMAGE = '127.0.0.1:5000/shop/web:1.0';
let kube: FakeKubeApi;
let server: PulltraceProcess;
let sse: SseRecorder;
let dir: string;

before(async () => {
  kube = await FakeKubeApi.start();
  dir = mkdtempSync(join(tmpdir(), 'pulltrace-kube-'));
  const kubeconfig = await writeKubeconfig(dir, kube.url);
  server = await startPulltrace(['server', ...KUBE_TEST_SERVER_FLAGS, '--watch-namespaces', 'shop'], { env: { KUBECONFIG: kubeconfig } });
  await kube.waitForWatches(2);
  sse = await SseRecorder.connect(`${server.baseUrl}/api/v1/events`);
});
after(async () => {
  sse?.close();
  await server?.stop();
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pullsOn(node: string): Promise<PullStatus[]> {
  return (await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/pulls?node=${node}`)).body.pulls;
}
async function errorsTotal(): Promise<number> {
  return metricValue(await (await fetch(server.metricsUrl)).text(), 'pulltrace_pull_errors_total') ?? Number.NaN;
}

test("a waiting pod shows on its pull with kubelet's exact image name; the init container's present image is not attributed", async () => {
  const pod = kube.apply(
    podObject({
      name: 'web-7d9f',
      namespace: 'shop',
      nodeName: NODE,
      // kubelet pulls app images once init containers are done; the app then waits as PodInitializing.
      initContainers: [{ name: 'migrate', image: 'busybox:1.36', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      containers: [{ name: 'app', image: IMAGE, state: { waiting: { reason: 'PodInitializing' } } }],
    }),
  );
  kube.apply(podObject({ name: 'elsewhere', namespace: 'other', nodeName: NODE, containers: [{ name: 'app', image: IMAGE }] }));
  kube.apply(
    kubeletEvent({
      pod,
      container: 'migrate',
      init: true,
      node: NODE,
      reason: 'Pulled',
      message: kubeletMessages.alreadyPresent('busybox:1.36'),
    }),
  );
  kube.apply(kubeletEvent({ pod, container: 'app', node: NODE, reason: 'Pulling', message: kubeletMessages.pulling(IMAGE) }));

  // containerd's distribution-source label names the repository without the registry port.
  await postReport(server.baseUrl, {
    nodeName: NODE,
    pulls: [pullEntry('127.0.0.1/shop/web', 'sha256:m-web', [layer('sha256:w1', 4 * MiB, MiB)])],
  });
  const pull = await waitFor(
    async () => (await pullsOn(NODE)).find((p) => p.manifestDigest === 'sha256:m-web' && p.pods.length > 0 && p.imageRef === IMAGE),
    {
      timeoutMs: 10_000,
      what: "the pull to carry the pod and kubelet's exact name",
    },
  );
  assert.deepEqual(pull.pods, [{ namespace: 'shop', podName: 'web-7d9f', container: 'app', image: IMAGE }]);
  assert.ok(!(await pullsOn(NODE)).some((p) => p.pods.some((x) => x.container === 'migrate')), 'the init container waits on no pull');
});

test("the agent's failure takes kubelet's message; the error counter moves once", async () => {
  const before = await errorsTotal();
  const l = layer('sha256:w1', 4 * MiB, 2 * MiB);
  await postReport(server.baseUrl, {
    nodeName: NODE,
    pulls: [pullEntry('127.0.0.1/shop/web', 'sha256:m-web', [l], { status: 'failed', error: 'read: connection reset by peer' })],
  });
  const failed = await sse.waitForEvent(
    (e) => e.type === 'pull.failed' && e.pull?.manifestDigest === 'sha256:m-web',
    'pull.failed from the agent',
  );
  const message = kubeletMessages.failed(
    IMAGE,
    `failed to pull and unpack image "${IMAGE}": failed to copy: httpReadSeeker: failed open: read tcp 127.0.0.1:41234->127.0.0.1:5000: read: connection reset by peer`,
  );
  const pod = kube.get('pods', 'shop', 'web-7d9f')!;
  kube.apply(kubeletEvent({ pod, container: 'app', node: NODE, reason: 'Failed', message }));
  kube.apply(
    kubeletEvent({ pod, container: 'app', node: NODE, reason: 'Failed', message: kubeletMessages.errorCompanion('ErrImagePull') }),
  );
  // Then, as the kubelet does, the pod's status: the Events count once it shows the failure.
  kube.apply(
    podObject({
      name: 'web-7d9f',
      namespace: 'shop',
      uid: pod.metadata.uid as string,
      nodeName: NODE,
      initContainers: [{ name: 'migrate', image: 'busybox:1.36', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      containers: [{ name: 'app', image: IMAGE, state: { waiting: { reason: 'ErrImagePull', message: 'connection reset by peer' } } }],
    }),
  );
  // The refinement travels the event bus like any change: SSE clients see it without refetching,
  // and the history store re-saves the failed pull.
  const refined = await sse.waitForEvent(
    (e) => e.type === 'pull.progress' && e.pull?.id === failed.pull!.id && e.pull.error === message,
    "pull.progress carrying kubelet's message as the failed pull's error",
  );
  assert.equal(refined.pull!.status, 'failed');
  assert.equal(refined.pull!.failureReason, 'network');
  await waitFor(
    async () =>
      (await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/history?node=${NODE}`)).body.pulls.find(
        (p) => p.id === failed.pull!.id && p.error === message,
      ),
    { timeoutMs: 10_000, what: "the history row of the failed pull to carry kubelet's message" },
  );
  // A BackOff follows; events are handled in order, so once a later marker event shows, it was seen.
  // The marker is a real failure of another pod on another node (forged events change nothing).
  const marker = kube.apply(
    podObject({
      name: 'marker',
      namespace: 'shop',
      nodeName: 'marker-node',
      containers: [{ name: 'app', image: 'marker:1', state: { waiting: { reason: 'ErrImagePull', message: 'not found' } } }],
    }),
  );
  kube.apply(kubeletEvent({ pod, container: 'app', node: NODE, reason: 'BackOff', message: kubeletMessages.backOff(IMAGE) }));
  kube.apply(
    kubeletEvent({
      pod: marker,
      container: 'app',
      node: 'marker-node',
      reason: 'Failed',
      message: kubeletMessages.failed('marker:1', 'not found'),
    }),
  );
  await sse.waitForEvent((e) => e.type === 'pull.failed' && e.nodeName === 'marker-node', 'the marker event to be handled');
  const final = (await getJson<PullStatus>(`${server.baseUrl}/api/v1/pulls/${failed.pull!.id}`)).body;
  assert.equal(final.error, message);
  assert.equal(final.failureReason, 'network', 'a connection reset is a network failure; the BackOff after it keeps the kind');
  const markerPull = (await pullsOn('marker-node'))[0];
  assert.equal(markerPull?.failureReason, 'not_found');
  assert.equal(await errorsTotal(), before + 2, "the agent's failure and the marker; kubelet's events on the failed pull add none");
  assert.equal(sse.events.filter((e) => e.type === 'pull.failed' && e.pull?.id === failed.pull!.id).length, 1);
  assert.equal(
    (await pullsOn(NODE)).filter((p) => p.status === 'failed').length,
    1,
    'BackOff of the same image adds no second failed pull',
  );
});

test('a bad tag with no bytes becomes a failed pull with its pod', async () => {
  const bad = '127.0.0.1:5000/shop/api:nope';
  const pod = kube.apply(
    podObject({
      name: 'api-1',
      namespace: 'shop',
      nodeName: 'worker-2',
      containers: [{ name: 'api', image: bad, state: { waiting: { reason: 'ErrImagePull', message: 'not found' } } }],
    }),
  );
  const message = kubeletMessages.failed(
    bad,
    `rpc error: code = NotFound desc = failed to pull and unpack image "${bad}": failed to resolve reference "${bad}": ${bad}: not found`,
  );
  kube.apply(kubeletEvent({ pod, container: 'api', node: 'worker-2', reason: 'Failed', message }));
  const ev = await sse.waitForEvent((e) => e.type === 'pull.failed' && e.nodeName === 'worker-2', 'a failed pull for the bad tag');
  assert.equal(ev.pull!.imageRef, bad);
  assert.equal(ev.pull!.error, message);
  assert.equal(ev.pull!.downloadedBytes, 0);
  assert.deepEqual(ev.pull!.pods, [{ namespace: 'shop', podName: 'api-1', container: 'api', image: bad }]);
});

test("kubelet's Pulled completes the pull and keeps its duration and size; a watch drop relists cleanly", async () => {
  const image = '127.0.0.1:5000/shop/cart:2';
  const pod = kube.apply(podObject({ name: 'cart-1', namespace: 'shop', nodeName: 'worker-3', containers: [{ name: 'cart', image }] }));
  kube.apply(kubeletEvent({ pod, container: 'cart', node: 'worker-3', reason: 'Pulling', message: kubeletMessages.pulling(image) }));
  await postReport(server.baseUrl, {
    nodeName: 'worker-3',
    pulls: [pullEntry('127.0.0.1/shop/cart', 'sha256:m-cart', [layer('sha256:c1', 2 * MiB, MiB)])],
  });
  await waitFor(async () => (await pullsOn('worker-3'))[0]?.pods.length === 1, { timeoutMs: 10_000, what: 'cart pull with its pod' });

  assert.ok(kube.dropWatches() > 0);
  await kube.waitForWatches(2);
  kube.apply(
    kubeletEvent({
      pod,
      container: 'cart',
      node: 'worker-3',
      reason: 'Pulled',
      message: kubeletMessages.pulled(image, { seconds: 1.234, waitingSeconds: 2, bytes: 2097152 }),
    }),
  );
  // The container starts (what confirms the Pulled): the pod leaves the next pull's waiting list.
  kube.apply(
    podObject({
      name: 'cart-1',
      namespace: 'shop',
      uid: pod.metadata.uid as string,
      nodeName: 'worker-3',
      containers: [{ name: 'cart', image, state: { running: {} } }],
    }),
  );
  const done = await sse.waitForEvent(
    (e) => e.type === 'pull.completed' && e.nodeName === 'worker-3',
    "pull.completed from kubelet's Pulled",
  );
  assert.equal(done.pull!.kubeletPullSeconds, 1.234);
  assert.equal(done.pull!.waitSeconds, 0.766, '"in 1.234s (2s including waiting)": queued 0.766 s');
  const metrics = await (await fetch(server.metricsUrl)).text();
  assert.equal(metricValue(metrics, 'pulltrace_pull_wait_seconds_sum'), 0.766, 'the queue time is in pulltrace_pull_wait_seconds');
  assert.equal(done.pull!.kubeletImageBytes, 2097152);
  assert.equal(sse.events.filter((e) => e.type === 'pull.completed' && e.nodeName === 'worker-3').length, 1);

  await postReport(server.baseUrl, {
    nodeName: 'worker-3',
    pulls: [pullEntry('127.0.0.1/shop/cart', 'sha256:m-cart2', [layer('sha256:c2', 2 * MiB, 0)])],
  });
  await waitFor(async () => (await pullsOn('worker-3')).find((p) => p.manifestDigest === 'sha256:m-cart2')?.pods.length === 0, {
    timeoutMs: 10_000,
    what: 'a started container to no longer wait',
  });
});

test("a report in the original agent's shape (digest-only ingests) is named from kubelet's Pulling event", async () => {
  const image = '127.0.0.1:5000/shop/legacy:3';
  const pod = kube.apply(
    podObject({ name: 'legacy-1', namespace: 'shop', nodeName: 'go-worker', containers: [{ name: 'legacy', image }] }),
  );
  kube.apply(kubeletEvent({ pod, container: 'legacy', node: 'go-worker', reason: 'Pulling', message: kubeletMessages.pulling(image) }));
  const ingest = (hex: string, down: number) => ({
    imageRef: `layer-sha256:${hex.repeat(64)}`,
    startedAt: '0001-01-01T00:00:00Z',
    totalKnown: true,
    layers: [{ digest: `sha256:${hex.repeat(64)}`, totalBytes: 2 * MiB, downloadedBytes: down, totalKnown: true }],
  });
  const named = await waitFor(
    async () => {
      await postReport(server.baseUrl, { nodeName: 'go-worker', pulls: [ingest('a', MiB), ingest('b', 0)] });
      return (await pullsOn('go-worker')).find((p) => p.imageRef === image && p.pods.length === 1);
    },
    // Re-reported like an agent does (at most a few times a second, under the per-node rate limit).
    { timeoutMs: 10_000, intervalMs: 300, what: "the grouped ingests to take kubelet's image name and pod" },
  );
  assert.equal(named.layerCount, 2);
  assert.deepEqual(named.pods, [{ namespace: 'shop', podName: 'legacy-1', container: 'legacy', image }]);
});

test("kubelet's figures after the agent completed the pull: published as progress of the completed pull, saved and measured", async () => {
  const image = '127.0.0.1:5000/shop/late:1';
  const node = 'worker-4';
  const pod = kube.apply(podObject({ name: 'late-1', namespace: 'shop', nodeName: node, containers: [{ name: 'late', image }] }));
  kube.apply(kubeletEvent({ pod, container: 'late', node, reason: 'Pulling', message: kubeletMessages.pulling(image) }));
  await postReport(server.baseUrl, {
    nodeName: node,
    pulls: [pullEntry('127.0.0.1/shop/late', 'sha256:m-late', [layer('sha256:l1', MiB, MiB, 'done')], { status: 'completed' })],
  });
  const completed = await sse.waitForEvent((e) => e.type === 'pull.completed' && e.nodeName === node, 'pull.completed from the agent');
  assert.equal(completed.pull!.kubeletPullSeconds, undefined);
  const waitSumBefore = metricValue(await (await fetch(server.metricsUrl)).text(), 'pulltrace_pull_wait_seconds_sum') ?? 0;
  kube.apply(
    kubeletEvent({
      pod,
      container: 'late',
      node,
      reason: 'Pulled',
      message: kubeletMessages.pulled(image, { seconds: 2, waitingSeconds: 2.5, bytes: MiB }),
    }),
  );
  kube.apply(
    podObject({
      name: 'late-1',
      namespace: 'shop',
      uid: pod.metadata.uid as string,
      nodeName: node,
      containers: [{ name: 'late', image, state: { running: {} } }],
    }),
  );
  const annotated = await sse.waitForEvent(
    (e) => e.type === 'pull.progress' && e.pull?.id === completed.pull!.id && e.pull.kubeletPullSeconds === 2,
    "pull.progress with kubelet's pull time on the completed pull",
  );
  assert.equal(annotated.pull!.status, 'completed');
  assert.equal(annotated.pull!.waitSeconds, 0.5);
  assert.equal(annotated.pull!.kubeletImageBytes, MiB);
  await waitFor(
    async () =>
      (await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/history?node=${node}`)).body.pulls.find(
        (p) => p.id === completed.pull!.id && p.kubeletPullSeconds === 2,
      ),
    { timeoutMs: 10_000, what: "the history row to carry kubelet's pull time" },
  );
  const metrics = await (await fetch(server.metricsUrl)).text();
  const waitSum = metricValue(metrics, 'pulltrace_pull_wait_seconds_sum') ?? Number.NaN;
  assert.ok(Math.abs(waitSum - waitSumBefore - 0.5) < 1e-9, `the queue time is measured (sum ${waitSumBefore} → ${waitSum})`);
  assert.equal(sse.events.filter((e) => e.type === 'pull.completed' && e.pull?.id === completed.pull!.id).length, 1);
});
