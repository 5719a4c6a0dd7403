// Timer-driven transitions on replicas (PULLTRACE_BUS=nats://…), against a real nats-server with
// JetStream started here: a pull that stops progressing stalls, and a silent node times out, at
// the same point of the shared log on every replica (the log's ticks, with the stream's time), so
// both replicas emit `pull.stalled` and the node-timeout `pull.failed` under the same event ids; a
// viewer whose replica is killed resumes on the other with Last-Event-ID and gets each exactly
// once. NATS away: a replica decides timers on its own clock again, and says so (log and metrics).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PullEvent } from '../../src/model/index.js';
import { STREAM_EVENT_ID_OFFSET } from '../../src/server/bus/streamEventIds.js';
import {
  layer,
  MiB,
  metricValue,
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

let nats: NatsHandle;
before(async () => {
  nats = await startNats();
});
after(async () => {
  await nats?.close();
});

const startedAt = new Date(Date.now() - 5000).toISOString();
function report(nodeName: string, downloaded: number) {
  return {
    nodeName,
    pulls: [pullEntry('127.0.0.1/slow:1', `sha256:m-${nodeName}`, [layer(`sha256:l-${nodeName}`, 8 * MiB, downloaded)], { startedAt })],
  };
}

function serverArgs(cluster: string): string[] {
  // Short timers so the test waits seconds: a stall 2 s after the last new byte, a node timeout 6 s after its last report.
  return [
    'server',
    ...TEST_SERVER_FLAGS,
    '--db',
    ':memory:',
    '--bus',
    nats.url,
    '--cluster',
    cluster,
    '--history-ttl',
    '1h',
    '--stall-timeout',
    '2s',
    '--node-timeout',
    '6s',
  ];
}

/** The SSE id and event of every pull event of `node` of one type, in arrival order. */
function sent(r: SseRecorder, node: string, type: PullEvent['type']): Array<{ id: string; event: PullEvent }> {
  const out: Array<{ id: string; event: PullEvent }> = [];
  for (const m of r.messages) {
    if (m.event) continue;
    const event = JSON.parse(m.data) as PullEvent;
    if (event.type === type && event.nodeName === node) out.push({ id: m.id ?? '', event });
  }
  return out;
}

async function stream(p: PulltraceProcess, cluster: string, headers: Record<string, string> = {}): Promise<SseRecorder> {
  return SseRecorder.connect(`${p.baseUrl}/api/v1/events?layers=0&cluster=${cluster}`, headers);
}

async function metrics(p: PulltraceProcess): Promise<Record<string, number | undefined>> {
  const text = await (await fetch(p.metricsUrl)).text();
  const names = ['published_total', 'applied_total', 'connected', 'lag_messages', 'timers_shared'];
  return Object.fromEntries(names.map((n) => [n, metricValue(text, `pulltrace_report_log_${n}`)]));
}

function followsLog(p: PulltraceProcess): number {
  return p.logs().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('stall and node timeouts follow the shared log')).length;
}

test('a stall and a node timeout: both replicas emit them under the same ids; a viewer moving off a killed replica gets each once', async (t) => {
  const cluster = 'c-timers';
  const a = await startPulltrace(serverArgs(cluster));
  t.after(() => a.stop());
  const b = await startPulltrace(serverArgs(cluster));
  t.after(() => b.stop());
  const onA = await stream(a, cluster);
  t.after(() => onA.close());
  const onB = await stream(b, cluster);
  t.after(() => onB.close());

  // node-1: progresses, then its agent falls silent. Both replicas are up for both timers.
  assert.equal((await postReport(a.baseUrl, report('node-1', MiB))).status, 200);
  assert.equal((await postReport(b.baseUrl, report('node-1', 2 * MiB))).status, 200);
  for (const [r, where] of [
    [onA, 'A'],
    [onB, 'B'],
  ] as const) {
    await r.waitForEvent((e) => e.type === 'pull.stalled' && e.nodeName === 'node-1', `node-1 stalled on ${where}`);
    await r.waitForEvent(
      (e) => e.type === 'pull.failed' && e.nodeName === 'node-1' && e.pull?.failureReason === 'agent_lost',
      `node-1 timed out on ${where}`,
    );
  }
  for (const type of ['pull.stalled', 'pull.failed'] as const) {
    const [onAll, onBll] = [sent(onA, 'node-1', type), sent(onB, 'node-1', type)];
    assert.equal(onAll.length, 1, `one ${type} on A`);
    assert.equal(onBll.length, 1, `one ${type} on B`);
    assert.ok(Number(onAll[0]?.id) > STREAM_EVENT_ID_OFFSET, `${type}: an id from the stream, not a replica's own`);
    assert.equal(onAll[0]?.id, onBll[0]?.id, `${type}: the same event id on both replicas`);
    assert.equal(onAll[0]?.event.timestamp, onBll[0]?.event.timestamp, `${type}: decided at the same (stream) time`);
    assert.deepEqual(onAll[0]?.event.pull, onBll[0]?.event.pull, `${type}: the same pull status`);
  }

  // node-2: progresses while the viewer watches A; A is killed; the stall and the timeout are B's to decide.
  assert.equal((await postReport(a.baseUrl, report('node-2', MiB))).status, 200);
  assert.equal((await postReport(a.baseUrl, report('node-2', 3 * MiB))).status, 200);
  await onA.waitForEvent((e) => e.nodeName === 'node-2' && e.pull?.downloadedBytes === 3 * MiB, 'node-2 at 3 MiB on A');
  a.proc.signal('SIGKILL');
  await a.proc.exited;
  onA.close();
  const lastSeen = onA.messages.filter((m) => !m.event).at(-1)?.id;
  assert.ok(lastSeen, 'the viewer has an id to resume from');
  const failedOnB = await onB.waitForEvent(
    (e) => e.type === 'pull.failed' && e.nodeName === 'node-2',
    'node-2 timed out on B (ticking alone)',
    30_000,
  );
  assert.equal(failedOnB.pull?.failureReason, 'agent_lost');

  const resumed = await stream(b, cluster, { 'last-event-id': lastSeen });
  t.after(() => resumed.close());
  await resumed.waitForEvent((e) => e.type === 'pull.failed' && e.nodeName === 'node-2', 'node-2 timed out, after resuming on B');
  // Whether A decided the stall before it was killed or B after: the viewer has it exactly once.
  for (const type of ['pull.stalled', 'pull.failed'] as const) {
    const seen = [...sent(onA, 'node-2', type), ...sent(resumed, 'node-2', type)];
    assert.equal(seen.length, 1, `${type} of node-2 exactly once across A and B (${JSON.stringify(seen.map((s) => s.id))})`);
    assert.equal(seen[0]?.id, sent(onB, 'node-2', type)[0]?.id, `${type}: under the id B gave it`);
  }
  assert.ok(
    resumed.messages.every((m) => m.event || Number(m.id) > Number(lastSeen)),
    'nothing the viewer had from A is sent again',
  );
});

test('NATS away: a replica decides stalls on its own clock and says so; NATS back: timers follow the log again', async (t) => {
  const cluster = 'c-timers-outage';
  const a = await startPulltrace(serverArgs(cluster));
  t.after(() => a.stop());
  await waitFor(() => followsLog(a) === 1, { timeoutMs: 10_000, what: 'the replica to follow the log for its timers' });
  const onA = await stream(a, cluster);
  t.after(() => onA.close());
  assert.equal((await postReport(a.baseUrl, report('node-3', MiB))).status, 200);
  await onA.waitForEvent((e) => e.type === 'pull.started' && e.nodeName === 'node-3', 'node-3 started on A');
  const before = await waitFor(async () => ((await metrics(a)).timers_shared === 1 ? metrics(a) : undefined), {
    timeoutMs: 10_000,
    what: 'pulltrace_report_log_timers_shared 1',
  });
  assert.ok((before.published_total ?? 0) >= 1, `published ${before.published_total}`);
  assert.ok((before.applied_total ?? 0) >= 1, `applied ${before.applied_total}`);
  assert.equal(before.connected, 1);
  assert.equal(typeof before.lag_messages, 'number');

  await nats.stop();
  try {
    await waitFor(() => a.logs().some((l) => typeof l.msg === 'string' && l.msg.startsWith('no tick from the shared log')), {
      timeoutMs: 20_000,
      what: 'the replica to say it decides timers on its own clock',
    });
    const during = await metrics(a);
    assert.equal(during.timers_shared, 0, 'timers decided here');
    assert.equal(during.connected, 0);
    // Applied here (NATS is away), stalled by this replica's own ticks.
    assert.equal((await postReport(a.baseUrl, report('node-4', MiB))).status, 200);
    await onA.waitForEvent((e) => e.type === 'pull.started' && e.nodeName === 'node-4', 'node-4 started on A');
    await onA.waitForEvent((e) => e.type === 'pull.stalled' && e.nodeName === 'node-4', 'node-4 stalled while NATS is away');
    assert.equal((await metrics(a)).published_total, before.published_total, 'nothing published meanwhile');
  } finally {
    await nats.start();
  }
  await waitFor(() => followsLog(a) === 2, { timeoutMs: 30_000, what: 'the timers to follow the log again once NATS is back' });
  // node-4's report, kept while NATS was away, is appended and applied from the log.
  const back = await waitFor(
    async () => {
      const m = await metrics(a);
      return m.connected === 1 && (m.published_total ?? 0) > (before.published_total ?? 0) ? m : undefined;
    },
    { timeoutMs: 20_000, what: 'the kept report published once NATS is back' },
  );
  assert.ok((back.applied_total ?? 0) > (before.applied_total ?? 0), 'and applied from the log');
  assert.equal(a.logs().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('no tick from the shared log')).length, 1, 'said once');
});
