// Two replicas sharing a report log (real nats-server) with PULLTRACE_POD_EVENTS=all: a Lease in
// the server's namespace picks one writer, so each pod gets one Event and no write is made twice;
// when the writer stops, the other replica takes the lease within its duration and goes on.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  FakeKubeApi,
  KUBE_TEST_SERVER_FLAGS,
  type NatsHandle,
  type PulltraceProcess,
  startNats,
  startPulltrace,
  waitFor,
  writeKubeconfig,
} from '../kit/index.js';
import { awaitMilestoneWrites, drivePulls, eventSaying, podEvents, waitingPod, writesFor } from './podEventsSupport.js';

const CLUSTER = 'c-events';
const LEASE_DURATION_MS = 15_000;
let nats: NatsHandle;
let kube: FakeKubeApi;
let dir: string;
before(async () => {
  nats = await startNats();
  kube = await FakeKubeApi.start();
  dir = mkdtempSync(join(tmpdir(), 'pulltrace-pod-events-replicas-'));
});
after(async () => {
  await nats?.close();
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function replica(): Promise<PulltraceProcess> {
  const args = ['server', ...KUBE_TEST_SERVER_FLAGS, '--bus', nats.url, '--cluster', CLUSTER, '--node-report-rate', '1000'];
  const env = { KUBECONFIG: await writeKubeconfig(dir, kube.url, { namespace: 'pulltrace' }), PULLTRACE_POD_EVENTS: 'all' };
  return startPulltrace(args, { env });
}

const LEADER = 'pod events: this replica writes them (lease held)';
const leads = (r: PulltraceProcess) => r.logs().find((l) => l.msg === LEADER);

test('two replicas: one writer by Lease, one Event per pod, no duplicate write; the other takes over within the lease duration', async (t) => {
  const a = await replica();
  t.after(() => a.stop());
  await waitFor(() => leads(a), { timeoutMs: 15_000, what: 'the first replica to take the lease' });
  const b = await replica();
  t.after(() => b.stop());

  const first = waitingPod(kube, 'node-x', 'shop', 'api-1', '127.0.0.1:5000/shop/api:1');
  // reported to the follower: the leader writes; each milestone lands before the next report
  await drivePulls(b.baseUrl, 'node-x', [first.image], [0, 30, 55, 80, 100], awaitMilestoneWrites(kube, first, [0, 30, 55, 80, 100]));
  await eventSaying(kube, first, /^Pulled image /);
  assert.equal(podEvents(kube, first).length, 1, 'one Event object');
  assert.deepEqual(
    writesFor(kube, first).map((w) => w.status),
    [201, 200, 200, 200, 200],
    'start, 25/50/75 %, done: each written once, by one replica (no second create answered 409)',
  );
  assert.equal(leads(b), undefined, 'the second replica never wrote');
  const lease = kube.writes.lease('pulltrace', 'pulltrace-pod-events');
  assert.equal((lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity, leads(a)?.identity);

  const stoppedAt = Date.now();
  await a.stop();
  await waitFor(() => leads(b), { timeoutMs: LEASE_DURATION_MS, what: 'the second replica to take the lease within its duration' });
  t.diagnostic(`failover after ${Date.now() - stoppedAt} ms`);

  const second = waitingPod(kube, 'node-y', 'shop', 'api-2', '127.0.0.1:5000/shop/api:2');
  await drivePulls(b.baseUrl, 'node-y', [second.image]);
  await eventSaying(kube, second, /^Pulled image /);
  assert.equal(podEvents(kube, second).length, 1);
});
