// A real server process driven by a synthetic agent while an SSE client records every event.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PullEvent, PullStatus } from '../../src/model/index.js';
import {
  getJson,
  layer,
  MiB,
  metricValue,
  type PulltraceProcess,
  postReport,
  publishedValidator,
  pullEntry,
  SseRecorder,
  startPulltrace,
  TEST_SERVER_FLAGS,
  waitFor,
} from '../kit/index.js';

let server: PulltraceProcess;
let sse: SseRecorder;

before(async () => {
  server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--stall-timeout', '1s']);
  sse = await SseRecorder.connect(`${server.baseUrl}/api/v1/events`);
});
after(async () => {
  sse?.close();
  await server?.stop();
});

const eventsOf = (pullId: string) => sse.events.filter((e) => e.pull?.id === pullId);
const label = (e: PullEvent) => `${e.type}${e.layer ? `:${e.layer.digest}` : ''}`;

test('pulling → stalled → pulling → completed: the exact event sequence on SSE', async () => {
  const a = 'sha256:aaaa';
  const b = 'sha256:bbbb';
  const entry = (la: ReturnType<typeof layer>, lb: ReturnType<typeof layer>, extra = {}) =>
    pullEntry('127.0.0.1/shop/web:1.0', 'sha256:m-lifecycle', [la, lb], extra);
  const send = async (body: unknown) => assert.equal((await postReport(server.baseUrl, body)).status, 200);

  await send({ nodeName: 'worker-1', pulls: [entry(layer(a, 3 * MiB, MiB, 'downloading'), layer(b, 2 * MiB, 0, 'waiting'))] });
  const started = await sse.waitForEvent((e) => e.type === 'pull.started' && e.pull?.imageRef === '127.0.0.1/shop/web:1.0', 'pull.started');
  const id = started.pull!.id;
  await send({ nodeName: 'worker-1', pulls: [entry(layer(a, 3 * MiB, 2 * MiB, 'downloading'), layer(b, 2 * MiB, 0, 'waiting'))] });
  await sse.waitForEvent((e) => e.type === 'pull.stalled' && e.pull?.id === id, 'pull.stalled after the 1s stall timeout');
  await send({ nodeName: 'worker-1', pulls: [entry(layer(a, 3 * MiB, 3 * MiB, 'done'), layer(b, 2 * MiB, 0, 'waiting'))] });
  // Progress is coalesced per flush, so wait for the resumed state before the next report.
  const stalledAt = eventsOf(id).findIndex((e) => e.type === 'pull.stalled');
  const resumed = await waitFor(
    () =>
      eventsOf(id)
        .slice(stalledAt + 1)
        .find((e) => e.type === 'pull.progress' && e.pull?.status === 'pulling'),
    { timeoutMs: 15_000, what: 'pull.progress with status pulling after the stall' },
  );
  assert.equal(resumed.pull!.downloadedBytes, 3 * MiB, 'progress after a stall resumes the same pull');
  await send({ nodeName: 'worker-1', pulls: [entry(layer(a, 3 * MiB, 3 * MiB, 'done'), layer(b, 2 * MiB, MiB, 'downloading'))] });
  await send({
    nodeName: 'worker-1',
    pulls: [entry(layer(a, 3 * MiB, 3 * MiB, 'done'), layer(b, 2 * MiB, 2 * MiB, 'done'), { status: 'completed' })],
  });
  await sse.waitForEvent((e) => e.type === 'pull.completed' && e.pull?.id === id, 'pull.completed');

  // Every transition, in order; progress (coalesced per flush) only between them.
  assert.deepEqual(
    eventsOf(id)
      .filter((e) => e.type !== 'pull.progress' && e.type !== 'layer.progress')
      .map(label),
    [
      'pull.started',
      `layer.started:${a}`,
      'pull.stalled',
      `layer.completed:${a}`,
      `layer.started:${b}`,
      `layer.completed:${b}`,
      'pull.completed',
    ],
  );
  const labels = eventsOf(id).map(label);
  assert.ok(
    labels.indexOf(`layer.progress:${a}`) > labels.indexOf(`layer.started:${a}`) && labels.indexOf(`layer.progress:${a}`) < stalledAt,
    `the layer's progress between its start and the stall: ${labels.join(', ')}`,
  );

  const { body: done } = await getJson<PullStatus>(`${server.baseUrl}/api/v1/pulls/${id}`);
  assert.equal(done.status, 'completed');
  assert.equal(done.downloadedBytes, 5 * MiB);
  assert.equal(done.totalBytes, 5 * MiB);
  assert.equal(done.percent, 100);
  assert.equal(done.layersDone, 2);
  assert.ok(done.completedAt);
});

test('a failed pull: one pull.failed with its reason, and pulltrace_pull_errors_total counts it (FIX-01)', async () => {
  const before = metricValue(await (await fetch(server.metricsUrl)).text(), 'pulltrace_pull_errors_total') ?? 0;
  const l = layer('sha256:cccc', 4 * MiB, MiB, 'downloading');
  await postReport(server.baseUrl, { nodeName: 'worker-2', pulls: [pullEntry('127.0.0.1/shop/api:2', 'sha256:m-fail', [l])] });
  const failedReport = {
    nodeName: 'worker-2',
    pulls: [pullEntry('127.0.0.1/shop/api:2', 'sha256:m-fail', [l], { status: 'failed', error: 'read tcp: connection reset by peer' })],
  };
  await postReport(server.baseUrl, failedReport);
  await postReport(server.baseUrl, failedReport);
  const failed = await sse.waitForEvent((e) => e.type === 'pull.failed' && e.pull?.imageRef === '127.0.0.1/shop/api:2', 'pull.failed');
  assert.equal(failed.pull!.error, 'read tcp: connection reset by peer');
  assert.equal(failed.pull!.downloadedBytes, MiB, 'bytes of the failed pull are kept');
  // A second pull that vanishes mid-download also ends failed and counts.
  await postReport(server.baseUrl, { nodeName: 'worker-3', pulls: [pullEntry('127.0.0.1/shop/db:3', 'sha256:m-vanish', [l])] });
  await postReport(server.baseUrl, { nodeName: 'worker-3', pulls: [] });
  await sse.waitForEvent(
    (e) => e.type === 'pull.failed' && e.pull?.imageRef === '127.0.0.1/shop/db:3',
    'pull.failed for the vanished pull',
  );
  assert.equal(
    sse.events.filter((e) => e.type === 'pull.failed' && e.pull?.id === failed.pull!.id).length,
    1,
    'one pull.failed despite the repeated report',
  );
  const after = metricValue(await (await fetch(server.metricsUrl)).text(), 'pulltrace_pull_errors_total');
  assert.equal(after, before + 2);
});

test('per-layer speed and media type reach the API and the SSE stream (FIX-02)', async () => {
  const d = 'sha256:dddd';
  for (let i = 0; i <= 3; i++) {
    await postReport(server.baseUrl, {
      nodeName: 'worker-4',
      pulls: [pullEntry('127.0.0.1/shop/speed:1', 'sha256:m-speed', [layer(d, 16 * MiB, i * MiB, 'downloading')])],
    });
    // Reports a agent sends are at least a report interval apart; speed needs two distinct times.
    await new Promise((r) => setTimeout(r, 120));
  }
  const { body } = await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/pulls?node=worker-4`);
  const l = body.pulls[0]!.layers![0]!;
  assert.equal(l.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  assert.ok(l.bytesPerSec > 0, `layer bytesPerSec ${l.bytesPerSec}`);
  assert.equal(l.state, 'downloading');
  const progress = sse.events.filter((e) => e.type === 'layer.progress' && e.layer?.digest === d).at(-1)!;
  assert.ok(progress.layer!.bytesPerSec > 0);
  assert.equal(progress.layer!.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
});

test("a report in the original Go agent's exact shape is accepted and grouped per node", async () => {
  const goReport = {
    nodeName: 'go-node',
    timestamp: '2026-11-27T10:00:00.123456789Z',
    pulls: [
      {
        imageRef: 'layer-sha256:1111111111111111111111111111111111111111111111111111111111111111',
        layers: [
          {
            digest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
            totalBytes: 1000,
            downloadedBytes: 400,
            totalKnown: true,
          },
        ],
        startedAt: '0001-01-01T00:00:00Z',
        totalKnown: true,
      },
      {
        imageRef: 'layer-sha256:2222222222222222222222222222222222222222222222222222222222222222',
        layers: [
          {
            digest: 'sha256:2222222222222222222222222222222222222222222222222222222222222222',
            mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
            totalBytes: 500,
            downloadedBytes: 0,
            totalKnown: true,
          },
        ],
        startedAt: '2026-11-27T09:59:58Z',
        totalKnown: true,
      },
    ],
  };
  assert.equal((await postReport(server.baseUrl, goReport)).status, 200);
  const { body } = await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/pulls?node=go-node`);
  assert.equal(body.pulls.length, 1);
  assert.equal(body.pulls[0]!.layerCount, 2);
  assert.equal(body.pulls[0]!.totalBytes, 1500);
  assert.equal((await postReport(server.baseUrl, { ...goReport, pulls: [] })).status, 200);
  const completed = await sse.waitForEvent(
    (e) => e.type === 'pull.completed' && e.nodeName === 'go-node',
    'go-node pull completed by absence',
  );
  assert.equal(completed.pull!.downloadedBytes, 1500);
});

test('every event emitted validates against the published schema', () => {
  const validate = publishedValidator('pull-event-v1.json');
  assert.ok(sse.events.length > 20, `recorded ${sse.events.length} events`);
  for (const e of sse.events) assert.ok(validate(e), `${e.type}: ${validate.describe()}`);
});

test('SSE: Last-Event-ID replays what was missed; layers=0 and filters apply', async () => {
  const lastSeen = sse.messages.at(-1)!.id!;
  const filtered = await SseRecorder.connect(`${server.baseUrl}/api/v1/events?node=worker-5&layers=0`);
  const resumed = await SseRecorder.connect(`${server.baseUrl}/api/v1/events`, { 'last-event-id': lastSeen });
  try {
    await postReport(server.baseUrl, {
      nodeName: 'worker-5',
      pulls: [pullEntry('127.0.0.1/shop/late:1', 'sha256:m-late', [layer('sha256:eeee', MiB, 0, 'waiting')])],
    });
    const ev = await filtered.waitForEvent((e) => e.type === 'pull.started', 'filtered stream to get pull.started');
    assert.equal(ev.pull!.layers, undefined, 'layers=0 leaves layer arrays out');
    await resumed.waitForEvent((e) => e.type === 'pull.started' && e.nodeName === 'worker-5', 'resumed stream to get the new pull');
    assert.ok(
      resumed.events.every((e) => e.type !== 'pull.progress' || e.nodeName === 'worker-5' || Number(lastSeen) < 0),
      'no snapshot when resuming',
    );
    assert.ok(!resumed.events.some((e) => e.pull?.imageRef === '127.0.0.1/shop/web:1.0'), 'events before Last-Event-ID are not resent');
    assert.ok(
      filtered.events.every((e) => e.nodeName === 'worker-5'),
      'node filter applies to live events',
    );
    // A new client without Last-Event-ID gets the snapshot first.
    const fresh = await SseRecorder.connect(`${server.baseUrl}/api/v1/events?node=worker-1`);
    try {
      await fresh.waitForEvent((e) => e.type === 'pull.progress' && e.pull?.imageRef === '127.0.0.1/shop/web:1.0', 'snapshot of worker-1');
      assert.ok(fresh.events.every((e) => e.nodeName === 'worker-1'));
    } finally {
      fresh.close();
    }
  } finally {
    filtered.close();
    resumed.close();
  }
});

test('metrics: the nine names with real values', async () => {
  const text = await (await fetch(server.metricsUrl)).text();
  const m = (name: string) => metricValue(text, name) ?? Number.NaN;
  assert.ok(m('pulltrace_pulls_total') >= 5, text);
  assert.ok(m('pulltrace_agent_reports_total') >= 10, text);
  assert.ok(m('pulltrace_pull_bytes_total') >= 5 * MiB, text);
  assert.ok(m('pulltrace_sse_clients_active') >= 1, text);
  await waitFor(async () => metricValue(await (await fetch(server.metricsUrl)).text(), 'pulltrace_agents_connected') === 0, {
    timeoutMs: 15_000,
    what: 'agents_connected to fall to 0 once no agent reports',
  });
  for (const name of [
    'pulltrace_pulls_active',
    'pulltrace_pulls_stalled',
    'pulltrace_pull_duration_seconds_count',
    'pulltrace_pull_errors_total',
  ])
    assert.notEqual(metricValue(text, name), undefined, name);
  assert.ok((metricValue(text, 'pulltrace_pull_duration_seconds_count') ?? 0) >= 2);
});
