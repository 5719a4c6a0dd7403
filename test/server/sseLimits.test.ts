// Event-stream limits on a real server process: streams per remote address are capped with a
// JSON 429, other clients are untouched, and a closed stream frees its slot; a stream that reads
// nothing is closed after PULLTRACE_SSE_STALL_TIMEOUT, and at the global cap a new viewer takes
// the place of the longest-stalled one (raw sockets that never read, against a 10 MB snapshot).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  layer,
  MiB,
  metricValue,
  type PulltraceProcess,
  postReport,
  pullEntry,
  SseRecorder,
  startPulltrace,
  TEST_SERVER_FLAGS,
  waitFor,
} from '../kit/index.js';

let server: PulltraceProcess;
const open: SseRecorder[] = [];

before(async () => {
  server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--max-sse-per-address', '2']);
});
after(async () => {
  for (const s of open) s.close();
  await server?.stop();
});

async function connect(): Promise<SseRecorder> {
  const s = await SseRecorder.connect(`${server.baseUrl}/api/v1/events?layers=0`);
  open.push(s);
  return s;
}

test('PULLTRACE_MAX_SSE_PER_ADDRESS: the third stream from one address gets 429 JSON; a closed one frees its slot', async () => {
  const first = await connect();
  const second = await connect();
  assert.deepEqual([first.status, second.status], [200, 200]);

  const refused = await fetch(`${server.baseUrl}/api/v1/events`);
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('retry-after'), '10');
  const body = (await refused.json()) as { error: string; message: string };
  assert.equal(body.error, 'too_many_streams');
  assert.match(body.message, /PULLTRACE_MAX_SSE_PER_ADDRESS/);

  const active = async () => metricValue(await (await fetch(server.metricsUrl)).text(), 'pulltrace_sse_clients_active');
  assert.equal(await active(), 2, 'the refused stream is not counted');

  first.close();
  await waitFor(async () => ((await active()) === 1 ? true : undefined), {
    timeoutMs: 10_000,
    what: 'the closed stream to leave the gauge',
  });
  const third = await connect();
  assert.equal(third.status, 200, 'a closed stream frees its slot');
});

/** 30 nodes × 1,000 layers: a snapshot of about 10 MB, more than a loopback socket's kernel buffers take (about 4 MB). */
async function buildLargeSnapshot(baseUrl: string): Promise<void> {
  for (let n = 0; n < 30; n++) {
    const layers = Array.from({ length: 1000 }, (_, i) =>
      layer(`sha256:${n.toString(16)}${i.toString(16).padStart(62, '0')}`, 50 * MiB, MiB),
    );
    const res = await postReport(baseUrl, {
      nodeName: `big-${n}`,
      pulls: [pullEntry(`registry.example.com/big/image-${n}:1`, `sha256:big${n}`, layers)],
    });
    assert.equal(res.status, 200, `snapshot report ${n}: ${await res.text()}`);
  }
}

/** A raw socket from `localAddress` that asks for the event stream and never reads a byte. */
async function nonReader(baseUrl: string, localAddress: string): Promise<Socket> {
  const { hostname, port } = new URL(baseUrl);
  const socket = netConnect({ host: hostname, port: Number(port), localAddress });
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write('GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  socket.pause();
  return socket;
}

const activeStreams = async (s: PulltraceProcess) => metricValue(await (await fetch(s.metricsUrl)).text(), 'pulltrace_sse_clients_active');

describe('PULLTRACE_SSE_STALL_TIMEOUT', () => {
  let stalling: PulltraceProcess;
  before(async () => {
    stalling = await startPulltrace([
      'server',
      ...TEST_SERVER_FLAGS,
      '--db',
      ':memory:',
      '--max-nodes-per-address',
      '100',
      '--sse-stall-timeout',
      '2s',
    ]);
    await buildLargeSnapshot(stalling.baseUrl);
  });
  after(async () => stalling?.stop());

  test('a stream that takes no byte of its snapshot for 2 s is closed; a reader of the same snapshot stays', async (t) => {
    const reader = await SseRecorder.connect(`${stalling.baseUrl}/api/v1/events`);
    t.after(() => reader.close());
    const socket = await nonReader(stalling.baseUrl, '127.0.0.2');
    t.after(() => socket.destroy());
    await waitFor(async () => ((await activeStreams(stalling)) === 2 ? true : undefined), { timeoutMs: 10_000, what: 'both streams open' });
    const closed = await waitFor(() => stalling.logs().find((l) => l.reason === 'stalled' && l.address === '127.0.0.2'), {
      timeoutMs: 20_000,
      what: 'the non-reader to be closed as stalled',
    });
    assert.match(String(closed.msg), /stopped reading.*PULLTRACE_SSE_STALL_TIMEOUT/);
    assert.equal(await activeStreams(stalling), 1, 'the reader is still counted');
    await reader.waitForEvent((e) => e.nodeName === 'big-29', 'the whole snapshot on the reader', 30_000);

    assert.equal((await postReport(stalling.baseUrl, { nodeName: 'later', pulls: [pullEntry('a', 'sha256:a', [])] })).status, 200);
    await reader.waitForEvent((e) => e.type === 'pull.started' && e.nodeName === 'later', 'a live event on the reader');
    assert.equal(stalling.logs().filter((l) => l.reason === 'stalled').length, 1, 'the reader was never closed');
  });
});

describe('at PULLTRACE_MAX_SSE_CLIENTS, a new viewer takes the place of a stalled stream', () => {
  let full: PulltraceProcess;
  before(async () => {
    // The default stall timeout (30 s): the place is freed by eviction, not by the timeout.
    full = await startPulltrace([
      'server',
      ...TEST_SERVER_FLAGS,
      '--db',
      ':memory:',
      '--max-nodes-per-address',
      '100',
      '--max-sse-clients',
      '3',
    ]);
    await buildLargeSnapshot(full.baseUrl);
  });
  after(async () => full?.stop());

  test('three non-readers fill the cap; a new viewer gets 200 and the longest-stalled one is closed', async (t) => {
    const crowd: Socket[] = [];
    t.after(() => {
      for (const s of crowd) s.destroy();
    });
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      crowd.push(await nonReader(full.baseUrl, address));
      await waitFor(async () => ((await activeStreams(full)) === crowd.length ? true : undefined), {
        timeoutMs: 10_000,
        what: `stream ${crowd.length} open`,
      });
    }
    const viewer = await waitFor(
      async () => {
        const v = await SseRecorder.connect(`${full.baseUrl}/api/v1/events?layers=0`);
        if (v.status === 200) return v;
        assert.equal(v.status, 503, 'refused only for capacity meanwhile');
        v.close();
        return undefined;
      },
      { timeoutMs: 10_000, intervalMs: 250, what: 'a new viewer to be let in (long before the 30 s stall timeout)' },
    );
    t.after(() => viewer.close());
    await viewer.waitForEvent((e) => e.nodeName === 'big-29', 'the snapshot on the new viewer');
    // The server logs the eviction as it happens; its line reaches this test's reader a little later.
    const evicted = await waitFor(
      () => {
        const lines = full.logs().filter((l) => l.reason === 'evicted');
        return lines.length > 0 ? lines : undefined;
      },
      { timeoutMs: 5_000, what: 'the eviction in the server log' },
    );
    assert.deepEqual(
      evicted.map((l) => l.address),
      ['127.0.0.2'],
      'one stream closed: the first non-reader, stalled longest',
    );
    assert.match(String(evicted[0]?.msg), /make room/);
    assert.equal(await activeStreams(full), 3);
  });
});
