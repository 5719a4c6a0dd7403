// A hostile writer of the shared report log: anyone who can reach NATS can publish straight to the
// stream's subjects. Against a real nats-server with JetStream and a real `pulltrace server` with
// PULLTRACE_BUS: malformed reports (an imageRef of 12345, a forged failure reason, a report for
// another node than its subject), a broken tick and a broken Kubernetes action are published with
// the `nats` client while a viewer filters by image. The server stays up, applies none of them,
// logs each reason once and counts them in pulltrace_report_log_rejected_total{reason}; reads and
// the viewer's stream keep working, also after a restart that reads the same messages again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import type { PullStatus } from '../../src/model/index.js';
import {
  getJson,
  layer,
  MiB,
  type NatsHandle,
  type PulltraceProcess,
  postReport,
  pullEntry,
  SseRecorder,
  startNats,
  startPulltrace,
  TEST_SERVER_FLAGS,
  waitFor,
} from '../kit/index.js';

const CLUSTER = 'c-hostile';
let nats: NatsHandle;
let publisher: NatsConnection | undefined;
before(async () => {
  nats = await startNats();
});
after(async () => {
  await publisher?.close();
  await nats?.close();
});

const startedAt = new Date(Date.now() - 5000).toISOString();
function goodReport(nodeName: string, image: string, downloaded: number) {
  return {
    nodeName,
    pulls: [pullEntry(`127.0.0.1/${image}:1`, `sha256:${image}`, [layer(`sha256:l-${image}`, 4 * MiB, downloaded)], { startedAt })],
  };
}

/** What the attacker publishes, by the reason each must be skipped for. */
const HOSTILE: Array<[string, string, unknown]> = [
  [
    'schema',
    `pulltrace.${CLUSTER}.report.node-evil`,
    { nodeName: 'node-evil', pulls: [{ imageRef: 12345, status: 'pulling', layers: [] }] },
  ],
  [
    'schema',
    `pulltrace.${CLUSTER}.report.node-evil2`,
    { nodeName: 'node-evil2', pulls: [{ imageRef: 'x', status: 'failed', failureReason: 'label-bomb-1', layers: [] }] },
  ],
  ['node_mismatch', `pulltrace.${CLUSTER}.report.node-evil3`, { nodeName: 'node-good', pulls: [] }],
  ['time', `pulltrace.${CLUSTER}.report.node-evil4`, { nodeName: 'node-evil4', timestamp: '2999-01-01T00:00:00Z', pulls: [] }],
  ['not_json', `pulltrace.${CLUSTER}.report.node-evil5`, '{"nodeName": "node-evil5", "pulls": ['],
  ['tick', `pulltrace.${CLUSTER}.tick`, { at: 1, replica: { x: 1 } }],
  ['kube_action', `pulltrace.${CLUSTER}.kube.evil`, { kind: 'createFailed', nodeName: 'Not A Node', imageRef: 7, message: 'm', rank: 1 }],
];

async function publishHostile(): Promise<void> {
  publisher ??= await connect({ servers: nats.url });
  const js = publisher.jetstream();
  for (const [, subject, body] of HOSTILE) await js.publish(subject, typeof body === 'string' ? body : JSON.stringify(body));
}

function rejected(metricsText: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metricsText.matchAll(/^pulltrace_report_log_rejected_total\{reason="([a-z_]+)"\} ([0-9.e+]+)$/gm)) {
    out[m[1] as string] = Number(m[2]);
  }
  return out;
}

async function metrics(p: PulltraceProcess): Promise<string> {
  return (await fetch(p.metricsUrl)).text();
}

/** Waits until every hostile message (but those of `except`) has been read and skipped (counted by its reason). */
async function waitForAllSkipped(p: PulltraceProcess, except: string[] = []): Promise<Record<string, number>> {
  const want: Record<string, number> = {};
  for (const [reason] of HOSTILE) if (!except.includes(reason)) want[reason] = (want[reason] ?? 0) + 1;
  let last: Record<string, number> = {};
  await waitFor(
    async () => {
      last = rejected(await metrics(p));
      return Object.entries(want).every(([reason, n]) => (last[reason] ?? 0) >= n);
    },
    { timeoutMs: 15_000, what: `every hostile message counted by reason (want ${JSON.stringify(want)})` },
  );
  return last;
}

async function checkReadsAnswer(p: PulltraceProcess): Promise<void> {
  assert.ok(p.proc.running, `the server is still running:\n${p.proc.stderr()}`);
  for (const query of ['image=x', 'image=127', 'node=evil', 'namespace=a&pod=b', '']) {
    const { status, body } = await getJson<{ pulls: PullStatus[] }>(`${p.baseUrl}/api/v1/pulls?${query}`);
    assert.equal(status, 200, `GET /api/v1/pulls?${query}`);
    assert.ok(
      body.pulls.every((pull) => typeof pull.imageRef === 'string' && !pull.nodeName.startsWith('node-evil')),
      `nothing hostile applied: ${JSON.stringify(body.pulls.map((x) => [x.nodeName, x.imageRef]))}`,
    );
  }
}

test('hostile messages published straight to the report log are skipped, counted and logged once per reason; the server stays up, also after a restart', async (t) => {
  const args = ['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--bus', nats.url, '--cluster', CLUSTER, '--history-ttl', '1h'];
  const first = await startPulltrace(args);
  t.after(() => first.stop());
  // The viewer whose `image=` filter once made the SSE flush timer throw and the process exit.
  const viewer = await SseRecorder.connect(`${first.baseUrl}/api/v1/events?layers=0&image=127.0.0.1`);
  t.after(() => viewer.close());
  assert.equal((await postReport(first.baseUrl, goodReport('node-good', 'app', MiB))).status, 200);
  await viewer.waitForEvent((e) => e.type === 'pull.started' && e.pull?.nodeName === 'node-good', 'the good pull on the filtered stream');

  await publishHostile();
  await publishHostile(); // a second copy of each: counted again, not logged again
  const counted = await waitForAllSkipped(first);
  assert.ok((counted.schema ?? 0) >= 4, `both copies counted: ${JSON.stringify(counted)}`);
  for (const reason of ['capacity', 'limits', 'apply_failed']) assert.equal(counted[reason], 0, `${reason} exists from the start`);

  // The flush timer and the filtered stream live on: a later good report reaches the viewer.
  assert.equal((await postReport(first.baseUrl, goodReport('node-good', 'app', 3 * MiB))).status, 200);
  await viewer.waitForEvent((e) => e.pull?.nodeName === 'node-good' && e.pull.downloadedBytes === 3 * MiB, 'the next good report');
  assert.ok(
    viewer.events.every((e) => !e.nodeName.startsWith('node-evil')),
    'no hostile pull reached the viewer',
  );
  await checkReadsAnswer(first);
  const text = await metrics(first);
  assert.doesNotMatch(text, /label-bomb/, 'a forged failure reason adds no label value');

  const skipLines = first.logs().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('message of the shared report log skipped'));
  assert.deepEqual(
    skipLines.map((l) => l.reason).sort(),
    [...new Set(HOSTILE.map(([reason]) => reason))].sort(),
    'one line per reason, not one per message',
  );

  // The messages stay in the stream: a restarted server reads them again, and still answers.
  // (Not the tick: the stream keeps the newest tick only, and the replica's own came after.)
  await first.stop();
  const second = await startPulltrace(args);
  t.after(() => second.stop());
  await waitForAllSkipped(second, ['tick']);
  await checkReadsAnswer(second);
  const { body } = await getJson<{ pulls: PullStatus[] }>(`${second.baseUrl}/api/v1/pulls?image=app`);
  assert.deepEqual(
    body.pulls.map((p) => [p.nodeName, p.downloadedBytes]),
    [['node-good', 3 * MiB]],
    'the good report was read back from the log',
  );
});
