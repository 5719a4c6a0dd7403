// With PULLTRACE_TLS_* the listener keeps the plain one's limits, tried with raw sockets: a
// connection that never starts the TLS handshake (or trickles it), a client that stops half-way through its
// headers and one that sends its body too slowly are closed within the request timeout (the
// handshake and the headers within at most 10 s of it); an event stream open meanwhile is not
// cut; the per-address connection cap holds before any handshake.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import {
  issueServerCert,
  layer,
  MiB,
  makeCa,
  type PulltraceProcess,
  pullEntry,
  startPulltrace,
  TEST_SERVER_FLAGS,
  waitFor,
} from '../kit/index.js';

const dir = mkdtempSync(join(tmpdir(), 'pt-tlstimeouts-'));
const ca = makeCa(dir, 'ca');
const cert = issueServerCert(dir, ca, 'server');
const caPem = readFileSync(ca.certFile);
after(() => rmSync(dir, { recursive: true, force: true }));

async function startTlsServer(extra: string[]): Promise<{ server: PulltraceProcess; port: number }> {
  const server = await startPulltrace([
    'server',
    ...TEST_SERVER_FLAGS,
    '--db',
    ':memory:',
    '--tls-cert-file',
    cert.certFile,
    '--tls-key-file',
    cert.keyFile,
    ...extra,
  ]);
  return { server, port: Number(new URL(server.baseUrl).port) };
}

/** What a socket received until the server closed it. */
function untilClosed(socket: Socket): Promise<string> {
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (c: string) => {
    received += c;
  });
  socket.on('error', () => {});
  return new Promise((resolve) => socket.on('close', () => resolve(received)));
}

/** A TLS client from `localAddress` (its TCP socket made first: tls.connect has no source address). */
function tlsSocket(port: number, localAddress = '127.0.0.1'): TLSSocket {
  const tcp = tcpConnect({ host: '127.0.0.1', port, localAddress });
  tcp.on('error', () => {});
  return tlsConnect({ socket: tcp, ca: caPem, servername: 'localhost' });
}

async function handshaken(socket: TLSSocket): Promise<TLSSocket> {
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Bounded: the settings below give 2 s; Node's defaults on a TLS listener held these for 30–120 s. */
async function closedWithin(closed: Promise<string>, what: string): Promise<string> {
  let answer: { text: string } | undefined;
  void closed.then((text) => {
    answer = { text };
  });
  return (await waitFor(() => answer, { timeoutMs: 10_000, what })).text;
}

function postOverTls(port: number, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/report',
        method: 'POST',
        ca: caPem,
        servername: 'localhost',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('TLS: the request timeout (2 s here) cuts slow clients', () => {
  let server: PulltraceProcess;
  let port: number;
  before(async () => {
    ({ server, port } = await startTlsServer(['--http-request-timeout', '2s']));
  });
  after(async () => server?.stop());

  test('a TCP connection that never sends a ClientHello is closed', async () => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    const closed = untilClosed(socket);
    await new Promise((r) => socket.once('connect', r));
    assert.equal(await closedWithin(closed, 'the server to close a connection that never starts the handshake'), '');
  });

  test('a handshake sent a byte at a time is cut off all the same (the limit is on the whole handshake)', async () => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    const closed = untilClosed(socket);
    await new Promise((r) => socket.once('connect', r));
    // The start of a TLS record carrying a ClientHello, then padding: never idle, never complete.
    const bytes = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03];
    let i = 0;
    const trickle = setInterval(() => socket.write(Buffer.from([bytes[i++] ?? 0])), 300);
    try {
      assert.equal(await closedWithin(closed, 'the server to close a handshake that trickles in'), '');
    } finally {
      clearInterval(trickle);
    }
  });

  test('a client that stops half-way through its headers is cut off; an event stream open meanwhile keeps streaming', async (t) => {
    // The stream: over TLS, opened before the slow client, read as it arrives.
    let streamed = '';
    const stream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path: '/api/v1/events', ca: caPem, servername: 'localhost' }, resolve);
      req.on('error', reject);
      req.end();
    });
    t.after(() => stream.destroy());
    assert.equal(stream.statusCode, 200);
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => {
      streamed += c;
    });

    const slow = await handshaken(tlsSocket(port));
    const closed = untilClosed(slow);
    slow.write('POST /api/v1/report HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n');
    const answer = await closedWithin(closed, 'the server to close the client with half its headers');
    assert.match(answer, /^$|^HTTP\/1\.1 408/, `closed, or answered 408 (got ${JSON.stringify(answer.slice(0, 40))})`);

    // The stream is older than the timeout, and still delivers.
    assert.equal(await postOverTls(port, { nodeName: 'tls-node', pulls: [pullEntry('a', 'sha256:a', [layer('sha256:l', MiB, 0)])] }), 200);
    await waitFor(() => streamed.includes('"nodeName":"tls-node"'), { timeoutMs: 10_000, what: 'the report on the old stream' });
  });

  test('a client that sends its body too slowly is cut off', async () => {
    const slow = await handshaken(tlsSocket(port));
    const closed = untilClosed(slow);
    slow.write('POST /api/v1/report HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"node');
    // A byte every half second: never idle, never done.
    const trickle = setInterval(() => slow.write(' '), 500);
    try {
      const answer = await closedWithin(closed, 'the server to close the client sending its body slowly');
      assert.match(answer, /^$|^HTTP\/1\.1 408/, `closed, or answered 408 (got ${JSON.stringify(answer.slice(0, 40))})`);
    } finally {
      clearInterval(trickle);
    }
  });
});

describe('TLS: the per-address connection cap', () => {
  let server: PulltraceProcess;
  let port: number;
  before(async () => {
    ({ server, port } = await startTlsServer(['--max-connections-per-address', '2']));
  });
  after(async () => server?.stop());

  test('a third connection from one address is closed before its handshake; another address is served', async (t) => {
    const held = [await handshaken(tlsSocket(port, '127.0.0.2')), await handshaken(tlsSocket(port, '127.0.0.2'))];
    t.after(() => {
      for (const s of held) s.destroy();
    });
    const third = tlsSocket(port, '127.0.0.2');
    const refused = await new Promise<string>((resolve) => {
      third.once('secureConnect', () => resolve('handshake completed'));
      third.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    assert.match(refused, /^(ECONNRESET|EPIPE)$/, 'the third was closed before the handshake');
    const other = await handshaken(tlsSocket(port, '127.0.0.3'));
    const answer = untilClosed(other);
    other.end('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    assert.match(await answer, /^HTTP\/1\.1 200/);

    // A closed connection frees its place.
    held[0]?.destroy();
    const again = await waitFor(
      async () => {
        const s = tlsSocket(port, '127.0.0.2');
        try {
          return await handshaken(s);
        } catch {
          s.destroy();
          return undefined;
        }
      },
      { timeoutMs: 10_000, what: 'a connection from 127.0.0.2 once one of its two closed' },
    );
    again.destroy();
  });
});
