// The HTTP listener's limits, with raw sockets: a client sending its request too slowly is cut
// off (an open event stream is not), and connections beyond the cap (in all, or from one address)
// are closed at once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  layer,
  MiB,
  type PulltraceProcess,
  postReport,
  pullEntry,
  SseRecorder,
  startPulltrace,
  TEST_SERVER_FLAGS,
  waitFor,
} from '../kit/index.js';

async function openSocket(baseUrl: string, localAddress?: string): Promise<{ socket: Socket; closed: Promise<string> }> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect({ host: hostname, port: Number(port), ...(localAddress ? { localAddress } : {}) });
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (c: string) => {
    received += c;
  });
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  await once(socket, 'connect');
  return { socket, closed };
}

describe('request timeout', () => {
  let server: PulltraceProcess;
  before(async () => {
    server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--http-request-timeout', '1s']);
  });
  after(async () => server?.stop());

  test('a client that never finishes its headers is cut off; an event stream open meanwhile keeps streaming', async (t) => {
    const sse = await SseRecorder.connect(`${server.baseUrl}/api/v1/events`);
    t.after(() => sse.close());
    const slow = await openSocket(server.baseUrl);
    slow.socket.write('POST /api/v1/report HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n');
    const answer = await waitFor(() => Promise.race([slow.closed, new Promise<undefined>((r) => setTimeout(r, 100))]), {
      timeoutMs: 15_000,
      what: 'the server to close the slow client',
    });
    assert.match(answer, /^$|^HTTP\/1\.1 408/, `closed, or answered 408 (got ${JSON.stringify(answer.slice(0, 40))})`);

    // The stream opened before the slow client is older than the timeout, and still delivers.
    assert.equal(
      (await postReport(server.baseUrl, { nodeName: 'n1', pulls: [pullEntry('a', 'sha256:a', [layer('sha256:l', MiB, 0)])] })).status,
      200,
    );
    const started = await sse.waitForEvent((e) => e.type === 'pull.started' && e.nodeName === 'n1', 'pull.started on the old stream');
    assert.equal(started.pull?.imageRef, 'a');
  });
});

describe('connection cap', () => {
  let server: PulltraceProcess;
  before(async () => {
    server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--max-connections', '3']);
  });
  after(async () => server?.stop());

  test('a connection beyond --max-connections is closed at once; below it, requests are answered', async () => {
    const held = await Promise.all([openSocket(server.baseUrl), openSocket(server.baseUrl), openSocket(server.baseUrl)]);
    // The kernel accepts the TCP connection; the server then drops it (a reset or an end, no answer).
    const { hostname, port } = new URL(server.baseUrl);
    const extra = connect({ host: hostname, port: Number(port) });
    let received = '';
    extra.setEncoding('utf8');
    extra.on('data', (c: string) => {
      received += c;
    });
    extra.on('error', () => {});
    extra.on('connect', () => extra.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    await new Promise((resolve) => extra.on('close', resolve));
    assert.equal(received, '', 'closed without an answer');
    for (const h of held) h.socket.destroy();
    const res = await waitFor(
      async () => {
        const r = await fetch(`${server.baseUrl}/healthz`);
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 10_000, what: '/healthz once the held connections are gone' },
    );
    assert.equal(await res.text(), 'ok');
  });
});

describe('connection cap per address', () => {
  let server: PulltraceProcess;
  before(async () => {
    server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--max-connections-per-address', '2']);
  });
  after(async () => server?.stop());

  /** What one raw GET /healthz from `localAddress` is answered ('' when the server closes it unanswered). */
  async function healthFrom(localAddress: string): Promise<string> {
    const c = await openSocket(server.baseUrl, localAddress);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    return c.closed;
  }

  test('a connection beyond --max-connections-per-address from one address is closed at once; other addresses are served', async () => {
    const held = await Promise.all([openSocket(server.baseUrl, '127.0.0.2'), openSocket(server.baseUrl, '127.0.0.2')]);
    assert.equal(await healthFrom('127.0.0.2'), '', 'the third from 127.0.0.2 is closed without an answer');
    assert.match(await healthFrom('127.0.0.3'), /^HTTP\/1\.1 200/, 'another address is answered');
    held[0]?.socket.destroy();
    const answer = await waitFor(async () => (await healthFrom('127.0.0.2')) || undefined, {
      timeoutMs: 10_000,
      what: '127.0.0.2 to be answered once one of its connections closed',
    });
    assert.match(answer, /^HTTP\/1\.1 200/);
    held[1]?.socket.destroy();
  });
});

describe('listen backlog', () => {
  let server: PulltraceProcess;
  before(async () => {
    server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:']);
  });
  after(async () => server?.stop());

  test("the HTTP port's accept queue is 4,096 (capped by the kernel's somaxconn), not Node's 511", () => {
    const port = new URL(server.baseUrl).port;
    // For a listening socket, ss shows the backlog in its Send-Q column.
    const line = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
    const backlog = Number(line.split(/\s+/)[2]);
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    assert.equal(backlog, Math.min(4096, somaxconn), line);
    assert.ok(backlog > 511 || somaxconn <= 511, `backlog ${backlog}`);
  });
});
