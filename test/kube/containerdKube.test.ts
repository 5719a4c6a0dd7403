// End to end on a real containerd with Kubernetes: the real agent inside `pulltrace standalone
// --kubernetes auto` reads a private containerd whose pulls go through the CRI plugin (as kubelet
// makes them), and the server watches a fake API server through the real client. The test plays
// the kubelet, writing pods and events at the moments a kubelet would, and checks what a user sees
// in /api/v1/pulls, on SSE and in /metrics.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PullEvent, PullStatus } from '../../src/model/index.js';
import {
  type BuiltImage,
  buildAndPushImage,
  type ContainerdHandle,
  type ContainerStateInput,
  FakeKubeApi,
  imageRef,
  type KubeObject,
  kubeletEvent,
  kubeletMessages,
  makeTempDir,
  metricValue,
  type PodInput,
  ProcessGroup,
  type PulltraceProcess,
  podObject,
  removeDir,
  SseRecorder,
  startContainerd,
  startPulltrace,
  startRegistry,
  startThrottleProxy,
  type ThrottleProxy,
  waitFor,
  writeKubeconfig,
} from '../kit/index.js';

const NODE = 'worker-1';
const MiB = 1 << 20;
/** the node's link to the registry: a pull of a few MiB spans several agent reports */
const RATE = 2 * MiB;

let group: ProcessGroup;
let containerd: ContainerdHandle;
let proxy: ThrottleProxy;
let kube: FakeKubeApi;
let pulltrace: PulltraceProcess;
let sse: SseRecorder;
let images: { init: BuiltImage; web: BuiltImage; cart: BuiltImage };
/** references as a user writes them in pod specs: through the node's link, with port and tag */
let refs: { init: string; web: string; cart: string; badTag: string; otherOnly: string };

before(async () => {
  group = new ProcessGroup();
  const registry = group.track(await startRegistry(), 'registry');
  containerd = group.track(await startContainerd({ cri: true }), 'containerd');
  proxy = group.track(await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: RATE }), 'proxy');
  kube = group.track(await FakeKubeApi.start(), 'fake kube API');
  const dir = await makeTempDir('kube-e2e');
  group.defer('kubeconfig dir', () => removeDir(dir));
  const kubeconfig = await writeKubeconfig(dir, kube.url);

  const [init, web, cart] = await Promise.all([
    // 2 MiB at RATE: its ingest lasts about a second, so the agent (polling every 250 ms) surely sees it
    buildAndPushImage(registry.host, { repository: 'shop/migrate', tag: '1', layers: [{ size: 2 * MiB }] }),
    buildAndPushImage(registry.host, { repository: 'shop/web', tag: '1.0', layers: [{ size: 3 * MiB }, { size: 3 * MiB }] }),
    buildAndPushImage(registry.host, { repository: 'shop/cart', tag: '2', layers: [{ size: 4 * MiB }, { size: 4 * MiB }] }),
  ]);
  images = { init, web, cart };
  refs = {
    init: imageRef(proxy.host, init),
    web: imageRef(proxy.host, web),
    cart: imageRef(proxy.host, cart),
    badTag: `${proxy.host}/shop/api:nope`,
    otherOnly: `${proxy.host}/other/secret:1`,
  };

  pulltrace = group.track(
    await startPulltrace(
      [
        'standalone',
        '--http-addr',
        '127.0.0.1:0',
        '--metrics-addr',
        '127.0.0.1:0',
        '--db',
        ':memory:',
        '--containerd-socket',
        containerd.socket,
        '--node-name',
        NODE,
        '--report-interval',
        '250ms',
        '--kubernetes',
        'auto',
        '--watch-namespaces',
        'shop',
      ],
      { env: { KUBECONFIG: kubeconfig } },
    ),
    'pulltrace',
  );
  await waitFor(() => pulltrace.logs().some((l) => l.component === 'agent' && l.msg === 'agent reporting'), {
    timeoutMs: 15_000,
    what: 'the standalone agent to start polling',
  });
  // Kubelet's events count from when the server watches (earlier ones are backlog): pods + events in shop.
  await kube.waitForWatches(2);
  sse = await SseRecorder.connect(`${pulltrace.baseUrl}/api/v1/events`);
  group.defer('sse', () => sse.close());
});
after(() => group?.close());

// ---- what a user sees ----

async function pulls(): Promise<PullStatus[]> {
  const res = await fetch(`${pulltrace.baseUrl}/api/v1/pulls`);
  if (!res.ok) throw new Error(`GET /api/v1/pulls: HTTP ${res.status}`);
  return ((await res.json()) as { pulls: PullStatus[] }).pulls;
}

function waitForPull(pred: (p: PullStatus) => boolean, what: string, timeoutMs = 30_000): Promise<PullStatus> {
  return waitFor(async () => (await pulls()).find(pred), { timeoutMs, what, intervalMs: 100 });
}

async function metric(name: string): Promise<number> {
  const value = metricValue(await (await fetch(pulltrace.metricsUrl)).text(), name);
  if (value === undefined) throw new Error(`/metrics has no ${name}`);
  return value;
}

const eventsOf = (type: PullEvent['type'], pred: (p: PullStatus) => boolean) =>
  sse.events.filter((e) => e.type === type && e.pull !== undefined && pred(e.pull));

/**
 * The agent saw containerd forget a pull (ingests, manifest and config go with the failed pull's
 * lease) and has reported several times since: whatever it had to say about that pull was said.
 */
async function agentCaughtUpAfterContainerdForgot(image: BuiltImage): Promise<void> {
  await waitFor(async () => !(await containerd.content()).some((c) => c.digest === image.manifestDigest), {
    timeoutMs: 10_000,
    what: `containerd to drop the failed pull's manifest ${image.manifestDigest}`,
  });
  const reports = await metric('pulltrace_agent_reports_total');
  await waitFor(async () => (await metric('pulltrace_agent_reports_total')) >= reports + 4, {
    timeoutMs: 10_000,
    what: 'four more agent reports',
  });
}

// ---- playing the kubelet on NODE ----

const scheduled = new Map<string, PodInput>();

/** The scheduler bound the pod to NODE; the kubelet wrote its first status. */
function schedule(input: Omit<PodInput, 'nodeName'>): KubeObject {
  const pod: PodInput = { ...input, nodeName: NODE };
  const stored = kube.apply(podObject(pod));
  pod.uid = stored.metadata.uid as string;
  scheduled.set(`${pod.namespace}/${pod.name}`, pod);
  return stored;
}

/** The kubelet's next status write: one container's new state. */
function setState(pod: KubeObject, container: string, state: ContainerStateInput): void {
  const input = scheduled.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
  const spec = [...(input?.initContainers ?? []), ...(input?.containers ?? [])].find((c) => c.name === container);
  if (!input || !spec) throw new Error(`no container ${container} in pod ${pod.metadata.name}`);
  spec.state = state;
  kube.apply(podObject(input));
}

function recordEvent(pod: KubeObject, container: string, reason: string, message: string, opts: { init?: boolean } = {}): void {
  kube.apply(kubeletEvent({ pod, container, node: NODE, reason, message, init: opts.init ?? false }));
}

/** Kubelet's two Warning events of a failed attempt, then the container waits with ErrImagePull. */
function failAttempt(pod: KubeObject, container: string, image: string, criError: string): string {
  const message = kubeletMessages.failed(image, criError);
  recordEvent(pod, container, 'Failed', message);
  recordEvent(pod, container, 'Failed', kubeletMessages.errorCompanion('ErrImagePull'));
  setState(pod, container, { waiting: { reason: 'ErrImagePull', message: criError } });
  return message;
}

const seconds = (ms: number) => Math.round(ms) / 1000;

// ---- scenarios (in order: they share the node) ----

test("a waiting pod shows on its pull with kubelet's exact name; the init container's present image is not attributed", async () => {
  // The node already has the init image (an earlier pod pulled it).
  const initPull = await containerd.criPull(refs.init).done;
  assert.ok(initPull.ok, initPull.error);
  await waitForPull((p) => p.manifestDigest === images.init.manifestDigest && p.status === 'completed', 'the init image pull to complete');

  // Outside --watch-namespaces: a pod waiting on the same image on the same node, and a failure.
  const intruder = kube.apply(
    podObject({ name: 'intruder', namespace: 'other', nodeName: NODE, containers: [{ name: 'app', image: refs.web }] }),
  );
  kube.apply(
    kubeletEvent({
      pod: intruder,
      container: 'app',
      node: NODE,
      reason: 'Failed',
      message: kubeletMessages.failed(refs.otherOnly, `rpc error: code = NotFound desc = ${refs.otherOnly}: not found`),
    }),
  );

  // The pod arrives; kubelet finds the init image present, runs the init container to completion,
  // and the app container waits (PodInitializing) on its own image.
  const pod = schedule({
    name: 'web-7d9f',
    namespace: 'shop',
    initContainers: [{ name: 'migrate', image: refs.init, state: { waiting: { reason: 'PodInitializing' } } }],
    containers: [{ name: 'app', image: refs.web, state: { waiting: { reason: 'PodInitializing' } } }],
  });
  recordEvent(pod, 'migrate', 'Pulled', kubeletMessages.alreadyPresent(refs.init), { init: true });
  recordEvent(pod, 'migrate', 'Created', 'Created container migrate', { init: true });
  recordEvent(pod, 'migrate', 'Started', 'Started container migrate', { init: true });
  setState(pod, 'migrate', { terminated: { exitCode: 0, reason: 'Completed' } });

  recordEvent(pod, 'app', 'Pulling', kubeletMessages.pulling(refs.web));
  const startedAt = Date.now();
  const pulling = containerd.criPull(refs.web);
  const shown = await waitForPull(
    (p) => p.manifestDigest === images.web.manifestDigest && p.status === 'pulling' && p.imageRef === refs.web && p.pods.length > 0,
    "the throttled pull to show its pod and kubelet's exact name",
  );
  assert.deepEqual(shown.pods, [{ namespace: 'shop', podName: 'web-7d9f', container: 'app', image: refs.web }]);
  assert.equal(shown.nodeName, NODE);

  const r = await pulling.done;
  assert.ok(r.ok, r.error);
  const pullMs = Date.now() - startedAt;
  // The agent sees the image record and completes the pull; kubelet's Pulled then adds its figures.
  // (Pulled first can race the agent's last "pulling" report: see the second-pull note at the cut link.)
  await waitForPull((p) => p.id === shown.id && p.status === 'completed', 'the agent to report the pull completed');
  recordEvent(
    pod,
    'app',
    'Pulled',
    kubeletMessages.pulled(refs.web, { seconds: seconds(pullMs), waitingSeconds: seconds(pullMs), bytes: images.web.layerBytes }),
  );
  setState(pod, 'app', { running: {} });
  const done = await waitForPull(
    (p) => p.id === shown.id && p.status === 'completed' && p.kubeletPullSeconds === seconds(pullMs),
    "the pull completed with kubelet's figures",
  );
  assert.equal(done.imageRef, refs.web);
  assert.equal(done.kubeletImageBytes, images.web.layerBytes);
  assert.equal(done.downloadedBytes, done.totalBytes);

  const all = await pulls();
  const initPulls = all.filter((p) => p.manifestDigest === images.init.manifestDigest);
  assert.equal(initPulls.length, 1, 'the init image was pulled once, before the pod');
  assert.deepEqual(initPulls[0]?.pods, []);
  assert.equal(initPulls[0]?.status, 'completed');
  const seen = [...all, ...sse.events.flatMap((e) => (e.pull ? [e.pull] : []))];
  assert.ok(!seen.some((p) => p.pods.some((x) => x.container === 'migrate')), 'no pull ever listed the init container');
  assert.ok(
    eventsOf('pull.progress', (p) => p.id === shown.id).some((e) => e.pull?.pods.length === 1),
    'SSE showed the pod on the pull while it ran',
  );
});

test("a watch drop: later pods and events are still seen; a cut link fails the pull once, with kubelet's message", async () => {
  assert.ok(kube.dropWatches() > 0, 'the server was watching');
  // No waiting for the watches to come back: what the kubelet writes meanwhile must still arrive.
  const pod = schedule({ name: 'cart-5c4b', namespace: 'shop', containers: [{ name: 'cart', image: refs.cart }] });
  recordEvent(pod, 'cart', 'Pulling', kubeletMessages.pulling(refs.cart));
  const errorsBefore = await metric('pulltrace_pull_errors_total');

  const pulling = containerd.criPull(refs.cart);
  const moving = await waitForPull(
    (p) =>
      p.manifestDigest === images.cart.manifestDigest &&
      p.status === 'pulling' &&
      p.downloadedBytes >= MiB &&
      p.imageRef === refs.cart &&
      p.pods.length > 0,
    'the cart pull with its pod and exact name, 1 MiB in',
  );
  assert.deepEqual(moving.pods, [{ namespace: 'shop', podName: 'cart-5c4b', container: 'cart', image: refs.cart }]);

  proxy.cut();
  const r = await pulling.done;
  assert.equal(r.ok, false, 'the CRI pull must fail when the link is cut');
  assert.match(r.error ?? '', /connection reset by peer/);
  proxy.restore();
  // Kubelet writes its Failed event as soon as the CRI call returns, usually before the agent's
  // next report: the server fails the pull from kubelet's event, and the agent's later reports of the
  // same attempt (still "pulling", then "failed") must not start or fail a second pull.
  // containerd's error has gRPC code Unknown, whose prefix kubelet 1.28+ leaves out of the message.
  const message = failAttempt(pod, 'cart', refs.cart, r.error ?? '');

  const failed = await waitForPull(
    (p) => p.id === moving.id && p.status === 'failed' && p.error === message,
    "kubelet's message as the error",
  );
  assert.ok(failed.downloadedBytes >= moving.downloadedBytes && failed.downloadedBytes < failed.totalBytes, 'what was downloaded is kept');

  await agentCaughtUpAfterContainerdForgot(images.cart);
  const final = (await pulls()).filter((p) => p.manifestDigest === images.cart.manifestDigest);
  assert.deepEqual(
    final.map((p) => [p.id, p.status, p.error]),
    [[moving.id, 'failed', message]],
    "one failed pull, keeping kubelet's message",
  );
  assert.equal(eventsOf('pull.failed', (p) => p.manifestDigest === images.cart.manifestDigest).length, 1, 'one pull.failed');
  assert.equal(await metric('pulltrace_pull_errors_total'), errorsBefore + 1, 'pulltrace_pull_errors_total +1 exactly');
});

test('a bad tag (no bytes ever) becomes a visible failed pull for that image and node, with its pod', async () => {
  const errorsBefore = await metric('pulltrace_pull_errors_total');
  const pod = schedule({ name: 'api-66b8', namespace: 'shop', containers: [{ name: 'api', image: refs.badTag }] });
  recordEvent(pod, 'api', 'Pulling', kubeletMessages.pulling(refs.badTag));
  const r = await containerd.criPull(refs.badTag).done;
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /not found/);
  // containerd maps not-found to gRPC NotFound; kubelet keeps that code's prefix.
  const message = failAttempt(pod, 'api', refs.badTag, `rpc error: code = NotFound desc = ${r.error}`);

  const ev = await sse.waitForEvent((e) => e.type === 'pull.failed' && e.pull?.imageRef === refs.badTag, 'a failed pull for the bad tag');
  assert.equal(ev.nodeName, NODE);
  assert.equal(ev.pull?.error, message);
  assert.equal(ev.pull?.downloadedBytes, 0);
  assert.deepEqual(ev.pull?.pods, [{ namespace: 'shop', podName: 'api-66b8', container: 'api', image: refs.badTag }]);

  // Kubelet's next sync inside the back-off window, then a marker failure on the same watch: once it
  // shows, everything before it was handled.
  recordEvent(pod, 'api', 'BackOff', kubeletMessages.backOff(refs.badTag));
  recordEvent(pod, 'api', 'Failed', kubeletMessages.errorCompanion('ImagePullBackOff'));
  setState(pod, 'api', { waiting: { reason: 'ImagePullBackOff', message: kubeletMessages.backOff(refs.badTag) } });
  // The marker is a real failure of another pod (an Event its pod contradicts changes nothing).
  const marker = `${proxy.host}/shop/marker:0`;
  const markerPod = schedule({
    name: 'marker',
    namespace: 'shop',
    containers: [{ name: 'app', image: marker, state: { waiting: { reason: 'ErrImagePull', message: 'not found' } } }],
  });
  recordEvent(markerPod, 'app', 'Failed', kubeletMessages.failed(marker, `rpc error: code = NotFound desc = ${marker}: not found`));
  await sse.waitForEvent((e) => e.type === 'pull.failed' && e.pull?.imageRef === marker, 'the marker failure');

  const bad = (await pulls()).filter((p) => p.imageRef === refs.badTag);
  assert.deepEqual(
    bad.map((p) => [p.status, p.error]),
    [['failed', message]],
    "one failed pull; Error: ErrImagePull and BackOff keep kubelet's reason",
  );
  assert.equal(eventsOf('pull.failed', (p) => p.imageRef === refs.badTag).length, 1);
  assert.equal(await metric('pulltrace_pull_errors_total'), errorsBefore + 2, 'the bad tag and the marker');
});

test('the namespace outside --watch-namespaces never appears, and nothing was duplicated', async () => {
  const all = await pulls();
  const seen = [...all, ...sse.events.flatMap((e) => (e.pull ? [e.pull] : []))];
  assert.ok(!seen.some((p) => p.pods.some((x) => x.namespace !== 'shop')), 'only pods of shop on any pull');
  assert.ok(!seen.some((p) => p.imageRef === refs.otherOnly), 'a kubelet failure in namespace other made no pull');

  // Exactly one terminal event per pull, across the watch drop and its relist.
  const ids = [...new Set(sse.events.flatMap((e) => (e.pull ? [e.pull.id] : [])))];
  for (const id of ids) {
    const finals = sse.events.filter((e) => e.pull?.id === id && (e.type === 'pull.completed' || e.type === 'pull.failed'));
    assert.equal(finals.length, 1, `pull ${id}: ${finals.map((e) => e.type).join(', ')}`);
  }
  const completed = eventsOf('pull.completed', (p) => p.manifestDigest === images.web.manifestDigest);
  assert.equal(completed.length, 1, 'one pull.completed for the web pull');
  assert.equal(all.filter((p) => p.manifestDigest === images.web.manifestDigest).length, 1);
  assert.equal(await metric('pulltrace_pull_errors_total'), all.filter((p) => p.status === 'failed').length);
});
