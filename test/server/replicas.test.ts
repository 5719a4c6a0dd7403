// Replicas on a shared report log (PULLTRACE_BUS=nats://…), against a real nats-server with
// JetStream started here: reports accepted by one replica reach the other with the same pull ids
// and the same transitions; a replica started later holds every node's latest report as soon as
// it listens; NATS stopped and restarted: reports accepted meanwhile reach the other replica after;
// a replica killed mid-pull: its viewer resumes on the other with Last-Event-ID, missing nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PullStatus } from '../../src/model/index.js';
import { STREAM_EVENT_ID_OFFSET } from '../../src/server/bus/streamEventIds.js';
import {
  freePort,
  getJson,
  layer,
  MiB,
  type NatsHandle,
  postReport,
  pullEntry,
  runPulltrace,
  SseRecorder,
  startNats,
  startPostgres,
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
function report(nodeName: string, image: string, downloaded: number, status?: 'completed') {
  return {
    nodeName,
    pulls: [
      pullEntry(`127.0.0.1/${image}:1`, `sha256:${image}`, [layer(`sha256:l-${image}`, 4 * MiB, downloaded, status ? 'done' : undefined)], {
        startedAt,
        ...(status ? { status } : {}),
      }),
    ],
  };
}

/** The pulls of one cluster (the tests share one NATS, and every server shows every cluster). */
async function pulls(baseUrl: string, cluster: string): Promise<Array<[string, string, string, number]>> {
  const { body } = await getJson<{ pulls: PullStatus[] }>(`${baseUrl}/api/v1/pulls?layers=0&cluster=${cluster}`);
  return body.pulls.map((p) => [p.id, p.imageRef, p.status, p.downloadedBytes] as [string, string, string, number]).sort();
}

async function readyz(baseUrl: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${baseUrl}/readyz`);
  return { status: res.status, text: await res.text() };
}

test('two replicas: reports accepted by one reach the other, same ids and transitions; a late replica is complete when it listens', async (t) => {
  const cluster = 'c-replicas';
  const args = ['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--bus', nats.url, '--cluster', cluster, '--history-ttl', '1h'];
  const a = await startPulltrace(args);
  t.after(() => a.stop());
  const b = await startPulltrace(args);
  t.after(() => b.stop());
  const streamB = await SseRecorder.connect(`${b.baseUrl}/api/v1/events?layers=0&cluster=${cluster}`);
  t.after(() => streamB.close());
  assert.match((await readyz(b.baseUrl)).text, /report log: NATS JetStream in sync/);

  assert.equal((await postReport(a.baseUrl, report('node-a', 'app', MiB))).status, 200);
  assert.equal((await postReport(a.baseUrl, report('node-b', 'db', 0))).status, 200);
  const started = await streamB.waitForEvent((e) => e.type === 'pull.started' && e.pull?.nodeName === 'node-a', 'pull.started on B');
  await waitFor(async () => (await pulls(b.baseUrl, cluster)).length === 2, { timeoutMs: 10_000, what: 'both pulls on B' });
  assert.deepEqual(await pulls(b.baseUrl, cluster), await pulls(a.baseUrl, cluster), 'B holds what A accepted, under the same ids');

  assert.equal((await postReport(a.baseUrl, report('node-a', 'app', 4 * MiB, 'completed'))).status, 200);
  const completed = await streamB.waitForEvent((e) => e.type === 'pull.completed', 'pull.completed on B');
  assert.equal(completed.pull?.id, started.pull?.id, 'the same pull completes on B');
  assert.equal(streamB.events.filter((e) => e.type === 'pull.completed').length, 1, 'once');

  // A replica started now reads every node's latest report before it listens (and is ready).
  const c = await startPulltrace(args);
  t.after(() => c.stop());
  assert.equal((await readyz(c.baseUrl)).status, 200);
  assert.deepEqual(await pulls(c.baseUrl, cluster), await pulls(a.baseUrl, cluster), 'complete as soon as it listens');

  // Reports accepted by B reach A as well (every replica publishes what it accepts).
  assert.equal((await postReport(b.baseUrl, report('node-b', 'db', 2 * MiB))).status, 200);
  await waitFor(async () => (await pulls(a.baseUrl, cluster)).some(([, image, , bytes]) => image.includes('db') && bytes === 2 * MiB), {
    timeoutMs: 10_000,
    what: "B's report applied on A",
  });
});

test('NATS stopped: reports are still accepted and /readyz says so; restarted: the other replica catches up', async (t) => {
  const cluster = 'c-outage';
  const args = ['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--bus', nats.url, '--cluster', cluster, '--history-ttl', '1h'];
  const a = await startPulltrace(args);
  t.after(() => a.stop());
  const b = await startPulltrace(args);
  t.after(() => b.stop());
  assert.equal((await postReport(a.baseUrl, report('node-x', 'web', MiB))).status, 200);
  await waitFor(async () => (await pulls(b.baseUrl, cluster)).length === 1, { timeoutMs: 10_000, what: 'the first report on B' });

  await nats.stop();
  try {
    await waitFor(async () => /NATS unreachable/.test((await readyz(a.baseUrl)).text), {
      timeoutMs: 15_000,
      what: '/readyz to say NATS is away',
    });
    const during = await readyz(a.baseUrl);
    assert.equal(during.status, 200, 'still ready: it serves and accepts locally');
    assert.equal((await postReport(a.baseUrl, report('node-x', 'web', 3 * MiB))).status, 200);
    assert.equal((await postReport(a.baseUrl, report('node-y', 'cache', MiB))).status, 200);
    assert.equal((await pulls(a.baseUrl, cluster)).length, 2);
    await waitFor(() => a.logs().some((l) => typeof l.msg === 'string' && l.msg.startsWith('NATS unreachable;')), {
      timeoutMs: 10_000,
      what: 'the NATS-unreachable log line',
    });
  } finally {
    await nats.start();
  }
  await waitFor(
    async () => {
      const [onA, onB] = [await pulls(a.baseUrl, cluster), await pulls(b.baseUrl, cluster)];
      return onB.length === 2 && JSON.stringify(onA) === JSON.stringify(onB);
    },
    { timeoutMs: 30_000, what: 'B to hold the reports A accepted while NATS was away' },
  );
  assert.equal(a.logs().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('NATS unreachable;')).length, 1, 'said once');
  await waitFor(async () => /in sync/.test((await readyz(a.baseUrl)).text), { timeoutMs: 10_000, what: '/readyz in sync again' });
});

test('a replica killed mid-pull: the viewer resumes on the other with Last-Event-ID and gets every transition exactly once', async (t) => {
  const cluster = 'c-failover';
  const args = ['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--bus', nats.url, '--cluster', cluster, '--history-ttl', '1h'];
  const a = await startPulltrace(args);
  t.after(() => a.stop());
  const b = await startPulltrace(args);
  t.after(() => b.stop());
  const onA = await SseRecorder.connect(`${a.baseUrl}/api/v1/events?layers=0&cluster=${cluster}`);
  t.after(() => onA.close());
  const onB = await SseRecorder.connect(`${b.baseUrl}/api/v1/events?layers=0&cluster=${cluster}`);
  t.after(() => onB.close());

  assert.equal((await postReport(a.baseUrl, report('node-f', 'big', MiB))).status, 200);
  assert.equal((await postReport(a.baseUrl, report('node-f', 'big', 2 * MiB))).status, 200);
  await onA.waitForEvent((e) => e.type === 'pull.progress' && e.pull?.downloadedBytes === 2 * MiB, 'progress to 2 MiB on A');
  await onB.waitForEvent((e) => e.type === 'pull.progress' && e.pull?.downloadedBytes === 2 * MiB, 'progress to 2 MiB on B');
  // Both replicas emitted the same events under the same ids (every id from the stream: reports
  // and the log's ticks; replicaTimers.test.ts covers the timers).
  const idsOf = (r: SseRecorder) => r.messages.filter((m) => !m.event).map((m) => `${m.id} ${JSON.parse(m.data).type}`);
  const fromReports = (lines: string[]) => lines.filter((line) => Number(line.split(' ')[0]) >= STREAM_EVENT_ID_OFFSET);
  assert.ok(fromReports(idsOf(onA)).length >= 2);
  assert.deepEqual(fromReports(idsOf(onA)), fromReports(idsOf(onB)));
  const lastSeen = onA.messages.filter((m) => !m.event).at(-1)?.id;
  assert.ok(lastSeen);

  // A goes away mid-pull (SIGKILL); the agent's next reports go to B meanwhile.
  a.proc.signal('SIGKILL');
  await a.proc.exited;
  onA.close();
  assert.equal((await postReport(b.baseUrl, report('node-f', 'big', 3 * MiB))).status, 200);
  assert.equal((await postReport(b.baseUrl, report('node-f', 'big', 4 * MiB, 'completed'))).status, 200);
  await onB.waitForEvent((e) => e.type === 'pull.completed', 'pull.completed on B');

  // The viewer reconnects to B with the last id it got from A.
  const resumed = await SseRecorder.connect(`${b.baseUrl}/api/v1/events?layers=0&cluster=${cluster}`, { 'last-event-id': lastSeen });
  t.after(() => resumed.close());
  await resumed.waitForEvent((e) => e.type === 'pull.completed', 'pull.completed after resuming on B');
  // Progress updates may be coalesced (the latest state of a pull); transitions never are.
  const after = (lines: string[]) => lines.filter((line) => Number(line.split(' ')[0]) > Number(lastSeen));
  const transitions = (lines: string[]) => lines.filter((line) => !line.endsWith(' pull.progress'));
  assert.deepEqual(after(idsOf(resumed)), idsOf(resumed), 'nothing seen before is sent again');
  assert.deepEqual(transitions(idsOf(resumed)), transitions(after(idsOf(onB))), 'every transition missed, once, under the same ids');
  assert.equal(resumed.events.filter((e) => e.type === 'pull.completed').length, 1);
  assert.ok(!resumed.events.some((e) => e.type === 'pull.started'), 'nothing seen before is sent again');
});

test('two clusters on one NATS: each server shows both, every pull carries its cluster, the filter works', async (t) => {
  const base = ['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--bus', nats.url, '--history-ttl', '1h'];
  const eu = await startPulltrace([...base, '--cluster', 'mc-eu']);
  t.after(() => eu.stop());
  const us = await startPulltrace([...base, '--cluster', 'mc-us']);
  t.after(() => us.stop());
  // The same node name in both clusters: two different nodes.
  assert.equal((await postReport(eu.baseUrl, report('node-1', 'eu-app', MiB))).status, 200);
  assert.equal((await postReport(us.baseUrl, report('node-1', 'us-app', 2 * MiB))).status, 200);
  const view = async (baseUrl: string, query = '') =>
    (await getJson<{ pulls: PullStatus[] }>(`${baseUrl}/api/v1/pulls?layers=0${query}`)).body.pulls
      .filter((p) => p.cluster?.startsWith('mc-'))
      .map((p) => [p.cluster, p.nodeName, p.imageRef, p.id].join(' '))
      .sort();
  const both = await waitFor(
    async () => {
      const [a, b] = [await view(eu.baseUrl), await view(us.baseUrl)];
      return a.length === 2 && JSON.stringify(a) === JSON.stringify(b) ? a : undefined;
    },
    { timeoutMs: 15_000, what: "both clusters' pulls on both servers" },
  );
  assert.match(both[0] ?? '', /^mc-eu node-1 127\.0\.0\.1\/eu-app:1 /);
  assert.match(both[1] ?? '', /^mc-us node-1 127\.0\.0\.1\/us-app:1 /);
  assert.deepEqual(await view(eu.baseUrl, '&cluster=mc-us'), [both[1]]);
  assert.deepEqual(await view(us.baseUrl, '&cluster=mc-eu'), [both[0]]);
});

test('NATS not there at start: the server serves alone (said once), then joins the log when NATS comes', async (t) => {
  const cluster = 'c-late-nats';
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const args = ['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--bus', url, '--cluster', cluster, '--history-ttl', '1h'];
  const a = await startPulltrace(args, { timeoutMs: 40_000 });
  t.after(() => a.stop());
  assert.ok(a.logs().some((l) => typeof l.msg === 'string' && l.msg.startsWith('NATS unreachable at start')));
  const ready = await readyz(a.baseUrl);
  assert.equal(ready.status, 200);
  assert.match(ready.text, /NATS unreachable/);
  assert.equal((await postReport(a.baseUrl, report('node-l', 'late', MiB))).status, 200);

  const late = await startNats({ port });
  t.after(() => late.close());
  await waitFor(async () => /in sync/.test((await readyz(a.baseUrl)).text), { timeoutMs: 30_000, what: 'A to join the log' });
  const b = await startPulltrace(args);
  t.after(() => b.stop());
  await waitFor(async () => JSON.stringify(await pulls(b.baseUrl, cluster)) === JSON.stringify(await pulls(a.baseUrl, cluster)), {
    timeoutMs: 15_000,
    what: 'B to hold the report A accepted before NATS existed',
  });
  assert.equal((await pulls(b.baseUrl, cluster)).length, 1);
});

test('a NATS server without JetStream stops the server at start with the reason', async (t) => {
  const plain = await startNats({ jetstream: false });
  t.after(() => plain.close());
  const r = await runPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--bus', plain.url]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /JetStream is not enabled on this NATS server \(start it with -js\)/);
});

test('replicas on NATS and PostgreSQL: a pull accepted by one is one history row; either replica gone, the other answers', async (t) => {
  const cluster = 'c-full';
  const postgres = await startPostgres();
  t.after(() => postgres.close());
  const args = ['server', ...TEST_SERVER_FLAGS, '--db', postgres.url, '--bus', nats.url, '--cluster', cluster, '--history-ttl', '1h'];
  const a = await startPulltrace(args);
  t.after(() => a.stop());
  const b = await startPulltrace(args);
  t.after(() => b.stop());
  assert.equal((await postReport(a.baseUrl, report('node-h', 'hist', MiB))).status, 200);
  assert.equal((await postReport(b.baseUrl, report('node-h', 'hist', 4 * MiB, 'completed'))).status, 200);
  const history = async (baseUrl: string) =>
    (await getJson<{ pulls: PullStatus[] }>(`${baseUrl}/api/v1/history?cluster=${cluster}`)).body.pulls.map((p) => [p.id, p.status]);
  const rows = await waitFor(async () => ((await history(a.baseUrl)).length === 1 ? history(a.baseUrl) : undefined), {
    timeoutMs: 15_000,
    what: 'the finished pull in the shared history',
  });
  assert.deepEqual(rows, [[(await pulls(a.baseUrl, cluster))[0]?.[0], 'completed']], 'one row, under the live id');
  await a.stop();
  assert.deepEqual(await history(b.baseUrl), rows, 'B answers alone, the same');
  assert.deepEqual(
    (await pulls(b.baseUrl, cluster)).map(([, , status]) => status),
    ['completed'],
  );
});
