// Transitions that come from Kubernetes, with replicas: a pull only kubelet saw fail, and a pull
// kubelet's `Pulled` completes, go through the shared report log like reports and ticks, so both
// replicas emit them under the same event ids (a viewer that moves replica misses none and gets
// none twice). Real nats-server, the fake API server speaking the real protocol, two servers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PullEvent } from '../../src/model/index.js';
import { STREAM_EVENT_ID_OFFSET } from '../../src/server/bus/streamEventIds.js';
import {
  FakeKubeApi,
  FakeKubelet,
  KUBE_TEST_SERVER_FLAGS,
  layer,
  MiB,
  type NatsHandle,
  type PulltraceProcess,
  postReport,
  pullEntry,
  SseRecorder,
  startNats,
  startPulltrace,
  writeKubeconfig,
} from '../kit/index.js';

const CLUSTER = 'c-kube';
let nats: NatsHandle;
let kube: FakeKubeApi;
let dir: string;
before(async () => {
  nats = await startNats();
  kube = await FakeKubeApi.start();
  dir = mkdtempSync(join(tmpdir(), 'pulltrace-replica-kube-'));
});
after(async () => {
  await nats?.close();
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function replica(): Promise<PulltraceProcess> {
  const args = ['server', ...KUBE_TEST_SERVER_FLAGS, '--bus', nats.url, '--cluster', CLUSTER];
  return startPulltrace(args, { env: { KUBECONFIG: await writeKubeconfig(dir, kube.url) } });
}

/** SSE id and event of every event of one type on one node, in arrival order. */
function sent(r: SseRecorder, node: string, type: PullEvent['type']): Array<{ id: string; event: PullEvent }> {
  return r.messages
    .filter((m) => !m.event)
    .map((m) => ({ id: m.id ?? '', event: JSON.parse(m.data) as PullEvent }))
    .filter((x) => x.event.type === type && x.event.nodeName === node);
}

function assertSameOnBoth(onA: SseRecorder, onB: SseRecorder, node: string, type: PullEvent['type']): void {
  const [a, b] = [sent(onA, node, type), sent(onB, node, type)];
  assert.equal(a.length, 1, `one ${type} for ${node} on A`);
  assert.equal(b.length, 1, `one ${type} for ${node} on B`);
  assert.ok(Number(a[0]?.id) > STREAM_EVENT_ID_OFFSET, `${type}: an id from the stream, not a replica's own`);
  assert.equal(a[0]?.id, b[0]?.id, `${type}: the same event id on both replicas`);
  assert.equal(a[0]?.event.pull?.id, b[0]?.event.pull?.id, `${type}: the same pull`);
  assert.equal(a[0]?.event.pull?.status, b[0]?.event.pull?.status);
}

test('a pull only kubelet saw fail, and a completion from kubelet: the same events under the same ids on both replicas', async (t) => {
  const a = await replica();
  t.after(() => a.stop());
  const b = await replica();
  t.after(() => b.stop());
  const url = (p: PulltraceProcess) => `${p.baseUrl}/api/v1/events?layers=0&cluster=${CLUSTER}`;
  const onA = await SseRecorder.connect(url(a));
  t.after(() => onA.close());
  const onB = await SseRecorder.connect(url(b));
  t.after(() => onB.close());

  // A bad tag: no agent ever reports it; kubelet's Events and then the pod's status fail it.
  const kubeletK = new FakeKubelet(kube, 'node-k');
  const bad = kubeletK.schedule({ name: 'api', namespace: 'shop', containers: [{ name: 'app', image: '127.0.0.1:5000/shop/api:nope' }] });
  kubeletK.pulling(bad, 'app');
  kubeletK.failPull(bad, 'app', 'rpc error: code = NotFound desc = failed to pull and unpack image: not found');
  for (const [r, where] of [
    [onA, 'A'],
    [onB, 'B'],
  ] as const) {
    await r.waitForEvent((e) => e.type === 'pull.failed' && e.nodeName === 'node-k', `kubelet's failure on ${where}`, 30_000);
  }
  assertSameOnBoth(onA, onB, 'node-k', 'pull.started');
  assertSameOnBoth(onA, onB, 'node-k', 'pull.failed');

  // A pull its agent reports (to A), completed by kubelet's Pulled.
  const res = await postReport(a.baseUrl, {
    nodeName: 'node-p',
    pulls: [pullEntry('127.0.0.1/shop/web', 'sha256:m-node-p', [layer('sha256:l-node-p', 8 * MiB, 4 * MiB)])],
  });
  assert.equal(res.status, 200);
  await onB.waitForEvent((e) => e.type === 'pull.started' && e.nodeName === 'node-p', 'the agent-reported pull on B');
  const kubeletP = new FakeKubelet(kube, 'node-p');
  const web = kubeletP.schedule({ name: 'web', namespace: 'shop', containers: [{ name: 'app', image: '127.0.0.1/shop/web' }] });
  kubeletP.pulling(web, 'app');
  kubeletP.pulled(web, 'app', { seconds: 3, bytes: 8 * MiB });
  for (const [r, where] of [
    [onA, 'A'],
    [onB, 'B'],
  ] as const) {
    await r.waitForEvent((e) => e.type === 'pull.completed' && e.nodeName === 'node-p', `kubelet's completion on ${where}`, 30_000);
  }
  assertSameOnBoth(onA, onB, 'node-p', 'pull.completed');
});
