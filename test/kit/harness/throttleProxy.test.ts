import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { checkRate, startThrottleProxy } from './throttleProxy.js';
import { waitFor } from './waitFor.js';

// Upstream test server: on "GET <n>\n" it answers n bytes of 0x61 and keeps the connection open.
function startUpstream(): Promise<Server> {
  const server = createServer((s) => {
    s.on('error', () => {});
    s.on('data', (d) => {
      const m = /^GET (\d+)\n$/.exec(d.toString());
      if (m) s.write(Buffer.alloc(Number(m[1]), 0x61));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function connect(
  port: number,
): Promise<{ socket: Socket; received: () => number; error: () => Error | undefined; closed: () => boolean }> {
  const socket = new Socket();
  let received = 0;
  let error: Error | undefined;
  let closed = false;
  socket.on('close', () => {
    closed = true;
  });
  socket.on('data', (d) => {
    received += d.length;
  });
  socket.on('error', (e) => {
    error = e;
  });
  socket.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return { socket, received: () => received, error: () => error, closed: () => closed };
}

describe('throttle proxy', () => {
  let upstream: Server;
  let port: number;
  before(async () => {
    upstream = await startUpstream();
    port = (upstream.address() as { port: number }).port;
  });
  after(() => new Promise<void>((r) => upstream.close(() => r())));

  test('forwards requests and every response byte, and counts them', async (t) => {
    const proxy = await startThrottleProxy({ host: '127.0.0.1', port }, { bytesPerSec: 8 * 1024 * 1024 });
    t.after(() => proxy.close());
    const a = await connect(proxy.port);
    const b = await connect(proxy.port);
    a.socket.write('GET 300000\n');
    b.socket.write('GET 200000\n');
    await waitFor(() => a.received() === 300_000 && b.received() === 200_000, { timeoutMs: 10_000, what: 'both responses' });
    assert.equal(proxy.bytesToClient(), 500_000);
    assert.equal(proxy.openConnections(), 2);
    a.socket.destroy();
    b.socket.destroy();
  });

  test('freeze() forwards nothing while frozen; unfreeze() delivers the rest on the same connection', async (t) => {
    const proxy = await startThrottleProxy({ host: '127.0.0.1', port }, { bytesPerSec: 4 * 1024 * 1024 });
    t.after(() => proxy.close());
    const c = await connect(proxy.port);
    c.socket.write('GET 1000\n');
    await waitFor(() => c.received() === 1000, { timeoutMs: 5000, what: 'the first response' });
    proxy.freeze();
    c.socket.write('GET 50000\n');
    // A hung link can only be observed over time: nothing may arrive during this window.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(c.received(), 1000);
    assert.equal(proxy.bytesToClient(), 1000);
    proxy.unfreeze();
    await waitFor(() => c.received() === 51_000, { timeoutMs: 5000, what: 'the response held during the freeze' });
    assert.equal(c.error(), undefined);
    c.socket.destroy();
  });

  test('cut() resets open connections (ECONNRESET) and new ones until restore()', async (t) => {
    const proxy = await startThrottleProxy({ host: '127.0.0.1', port }, { bytesPerSec: 64 * 1024 });
    t.after(() => proxy.close());
    const c = await connect(proxy.port);
    c.socket.write('GET 1000000\n');
    await waitFor(() => c.received() > 0, { timeoutMs: 5000, what: 'the first bytes' });
    proxy.cut();
    // The proxy closes with SO_LINGER 0 (an RST). On some kernels a close racing a write in flight
    // still reaches the peer as data then FIN; either way the connection ends before the response.
    await waitFor(() => c.closed(), { timeoutMs: 5000, what: 'the cut connection to close' });
    const code = (c.error() as NodeJS.ErrnoException | undefined)?.code;
    assert.ok(
      code === 'ECONNRESET' || (code === undefined && c.received() < 1_000_000),
      `cut connection: ${code} after ${c.received()} bytes`,
    );
    assert.equal(proxy.openConnections(), 0);

    const late = new Socket();
    late.connect(proxy.port, '127.0.0.1');
    const [err] = await once(late, 'error').catch((e) => [e]);
    assert.equal((err as NodeJS.ErrnoException).code, 'ECONNRESET');

    proxy.restore();
    const again = await connect(proxy.port);
    again.socket.write('GET 10\n');
    await waitFor(() => again.received() === 10, { timeoutMs: 5000, what: 'a response after restore()' });
    again.socket.destroy();
  });

  test('a non-positive or non-numeric rate is refused', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => checkRate(bad), /bytesPerSec must be a positive number/);
    }
  });
});
