// PULLTRACE_POD_EVENTS end to end: a real server, the fake API server speaking the real protocol,
// synthetic agent reports, and the real kubectl. A long pull's progress lands on the waiting pod
// as one PullProgress Event updated in place (kubectl describe shows it), at most 8 writes per pod
// pull; 60 pods at once stay within the rate budget; `labeled` touches only labelled pods and
// namespaces; a 429 with Retry-After pauses the writer.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  FakeKubeApi,
  KUBE_TEST_SERVER_FLAGS,
  kubectlPulltraceArgs,
  metricValue,
  type PulltraceProcess,
  runProcess,
  startPulltrace,
  writeKubeconfig,
} from '../kit/index.js';
import { awaitMilestoneWrites, drivePulls, eventSaying, podEvents, waitingPod, writesFor } from './podEventsSupport.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pulltrace-pod-events-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function setup(t: { after: (fn: () => Promise<void>) => void }, env: Record<string, string>) {
  const kube = await FakeKubeApi.start();
  t.after(() => kube.close());
  const kubeconfig = await writeKubeconfig(mkdtempSync(join(dir, 'k-')), kube.url);
  const start = async (): Promise<PulltraceProcess> => {
    const server = await startPulltrace(['server', ...KUBE_TEST_SERVER_FLAGS, '--node-report-rate', '1000'], {
      env: { KUBECONFIG: kubeconfig, ...env },
    });
    t.after(() => server.stop());
    return server;
  };
  return { kube, kubeconfig, start };
}

async function metric(server: PulltraceProcess, name: string): Promise<number | undefined> {
  return metricValue(await (await fetch(server.metricsUrl)).text(), name);
}

test('a 40 s pull: one Event on the pod, updated in place at its milestones (≤ 8 writes), shown by kubectl describe pod', async (t) => {
  const { kube, kubeconfig, start } = await setup(t, {
    PULLTRACE_POD_EVENTS: 'all',
    PULLTRACE_POD_EVENTS_QPS: '50',
    PULLTRACE_POD_EVENTS_BURST: '50',
  });
  const pod = waitingPod(kube, 'node-a', 'shop', 'api-1', '127.0.0.1:5000/shop/api:1');
  const server = await start();
  // each milestone's write lands before the next report (else a newer milestone replaces it: fewer writes)
  const steps = [0, 5, 10, 20, 30, 40, 50, 55, 60, 70, 80, 85, 90, 95, 100];
  await drivePulls(server.baseUrl, 'node-a', [pod.image], steps, awaitMilestoneWrites(kube, pod, [0, 30, 50, 80, 100]));
  const done = await eventSaying(kube, pod, /^Pulled image "127\.0\.0\.1:5000\/shop\/api:1": 268 MB in /);

  const writes = writesFor(kube, pod);
  assert.ok(writes.length <= 8, `at most 8 writes per pod pull, saw ${writes.length}`);
  assert.equal(writes.length, 5, 'start, 25 %, 50 %, 75 %, done');
  assert.deepEqual(
    writes.map((w) => [w.method, w.status]),
    [['POST', 201], ...Array.from({ length: 4 }, () => ['PATCH', 200])],
    'created once, then updated in place',
  );
  assert.equal(podEvents(kube, pod).length, 1, 'one Event object for the pod');
  assert.equal(done.count, 5);
  assert.equal(done.type, 'Normal');
  assert.deepEqual(done.involvedObject, {
    kind: 'Pod',
    apiVersion: 'v1',
    namespace: 'shop',
    name: 'api-1',
    uid: pod.pod.metadata.uid,
    fieldPath: 'spec.containers{app}',
  });
  assert.equal(done.reportingComponent, 'pulltrace');
  assert.equal(await metric(server, 'pulltrace_pod_events_written_total'), 5);

  // The real kubectl lists it with kubelet's own lines.
  const described = await runProcess('kubectl', ['--kubeconfig', kubeconfig, 'describe', 'pod', 'api-1', '-n', 'shop'], {
    name: 'kubectl describe',
    env: { ...process.env, KUBECONFIG: kubeconfig },
    timeoutMs: 60_000,
  });
  assert.equal(described.code, 0, described.stderr);
  assert.match(described.stdout, /Normal\s+Pulling\s+.*kubelet\s+Pulling image "127\.0\.0\.1:5000\/shop\/api:1"/);
  assert.match(described.stdout, /Normal\s+PullProgress\s+.*pulltrace\s+.*Pulled image "127\.0\.0\.1:5000\/shop\/api:1": 268 MB in \S+/);

  // The plugin reads the same from the server, through the API server's service proxy.
  kube.services.add({
    namespace: 'pulltrace',
    name: 'pulltrace-server',
    labels: {
      'app.kubernetes.io/name': 'pulltrace',
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/part-of': 'pulltrace',
      'app.kubernetes.io/instance': 'pulltrace',
    },
    ports: [{ name: 'http', port: 8080 }],
    target: server.baseUrl,
  });
  const plugin = await runProcess(process.execPath, [...kubectlPulltraceArgs(), 'describe', 'pod/api-1', '-n', 'shop'], {
    name: 'kubectl-pulltrace describe',
    env: { ...process.env, KUBECONFIG: kubeconfig },
    timeoutMs: 60_000,
  });
  assert.equal(plugin.code, 0, plugin.stderr);
  assert.equal(plugin.stdout.split('\n')[0], 'Pod shop/api-1:');
  assert.match(plugin.stdout, /^ {2}app: Pulled image "127\.0\.0\.1:5000\/shop\/api:1": 268 MB in \S+$/m);
  assert.match(plugin.stdout, /^ {4}node node-a, completed; phases: downloading \S+$/m);
});

test('60 pods pulling at once with QPS 5: no second has more writes than the budget, and every pod ends with its final word', async (t) => {
  const QPS = 5;
  const BURST = 5;
  const { kube, start } = await setup(t, {
    PULLTRACE_POD_EVENTS: 'all',
    PULLTRACE_POD_EVENTS_QPS: String(QPS),
    PULLTRACE_POD_EVENTS_BURST: String(BURST),
  });
  const pods = Array.from({ length: 60 }, (_, i) => waitingPod(kube, 'node-r', 'shop', `web-${i}`, `127.0.0.1:5000/shop/web-${i}:1`));
  const server = await start();
  await drivePulls(
    server.baseUrl,
    'node-r',
    pods.map((p) => p.image),
  );
  for (const p of pods) await eventSaying(kube, p, /^Pulled image /, 90_000);

  const times = kube.writes.eventWrites.map((w) => w.at).sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0; i < times.length; i++) {
    let n = 0;
    for (let j = i; j < times.length && (times[j] as number) < (times[i] as number) + 1000; j++) n++;
    busiest = Math.max(busiest, n);
  }
  assert.ok(busiest <= BURST + QPS, `at most ${BURST + QPS} writes in any second (the burst, then ${QPS}/s), saw ${busiest}`);
  assert.ok(((await metric(server, 'pulltrace_pod_events_dropped_total')) ?? 0) > 0, 'milestones replaced while waiting are counted');
  assert.ok(times.length < 60 * 5, `superseded milestones were not written (${times.length} writes for 60 pods)`);
  for (const p of pods) assert.equal(podEvents(kube, p).length, 1, `one Event for ${p.name}`);
});

test('labeled: only pods labelled pulltrace.io/events=enabled, or in a namespace so labelled, get Events', async (t) => {
  const { kube, start } = await setup(t, { PULLTRACE_POD_EVENTS: 'labeled' });
  kube.writes.applyNamespace('shop', { 'pulltrace.io/events': 'enabled' });
  kube.writes.applyNamespace('other', {});
  const unlabelled = waitingPod(kube, 'node-l', 'other', 'plain', '127.0.0.1:5000/other/plain:1');
  const inNamespace = waitingPod(kube, 'node-l', 'shop', 'cart', '127.0.0.1:5000/shop/cart:1');
  const labelledPod = waitingPod(kube, 'node-l', 'other', 'tagged', '127.0.0.1:5000/other/tagged:1', { 'pulltrace.io/events': 'enabled' });
  const server = await start();
  // the unlabelled pod's pull first: its writes would come before the others' (one writer, in order)
  await drivePulls(server.baseUrl, 'node-l', [unlabelled.image]);
  await drivePulls(server.baseUrl, 'node-l', [inNamespace.image, labelledPod.image]);
  await eventSaying(kube, inNamespace, /^Pulled image /);
  await eventSaying(kube, labelledPod, /^Pulled image /);
  assert.deepEqual(writesFor(kube, unlabelled), [], 'nothing written for a pod without the label in a namespace without it');
  assert.ok(
    kube.requests.some((r) => r.method === 'GET' && r.path === '/api/v1/namespaces/other'),
    "the namespace's label was read",
  );
});

test('a 429 from the API server pauses every write for its Retry-After (and longer as they repeat), then the write goes through', async (t) => {
  const { kube, start } = await setup(t, { PULLTRACE_POD_EVENTS: 'all' });
  const pod = waitingPod(kube, 'node-t', 'shop', 'slow-1', '127.0.0.1:5000/shop/slow:1');
  kube.writes.throttleEventWrites(3, 1);
  const server = await start();
  await drivePulls(server.baseUrl, 'node-t', [pod.image], [0, 10]);
  await eventSaying(kube, pod, /^Pulling image /);
  const writes = writesFor(kube, pod);
  assert.deepEqual(
    writes.slice(0, 4).map((w) => w.status),
    [429, 429, 429, 201],
  );
  const gaps = writes.slice(1, 4).map((w, i) => w.at - (writes[i] as { at: number }).at);
  assert.ok((gaps[0] as number) >= 1000, `waited the Retry-After (1 s) after the first 429: ${gaps[0]} ms`);
  assert.ok((gaps[1] as number) >= 2000, `waited longer after the second: ${gaps[1]} ms`);
  assert.ok((gaps[2] as number) >= 4000, `and longer again after the third: ${gaps[2]} ms`);
  assert.equal(await metric(server, 'pulltrace_pod_events_written_total'), 1);
});
