// The SSE hub over real sockets: coalesced flushes, transitions in order, layer events only for
// layer viewers, one shared snapshot, Last-Event-ID replay, non-readers dropped, heartbeats.
import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import type { PullEvent, PullEventType, PullStatus } from '../../../model/index.js';
import { SNAPSHOT_PIECE_BYTES, type SseAttachOptions, type SseDropInfo, SseHub } from './sseHub.js';

function event(pullId: string, seq: number, type = 'pull.progress', padding = 0, layer?: string): PullEvent {
  const pull = {
    id: pullId,
    nodeName: 'w1',
    imageRef: `img-${pullId}`,
    status: 'pulling',
    pods: [],
    downloadedBytes: seq,
    layers: [{ digest: 'sha256:l1' }],
    note: 'x'.repeat(padding),
  };
  return {
    schemaVersion: 'v1',
    timestamp: new Date().toISOString(),
    type: type as PullEventType,
    nodeName: 'w1',
    pull: pull as unknown as PullStatus,
    ...(layer ? { layer: { digest: layer } as PullEvent['layer'] } : {}),
  };
}

type Attach = Partial<Omit<SseAttachOptions, 'snapshot'>> & { snapshot?: () => PullStatus[] };

/** An HTTP server whose every request becomes a hub client with the given options. */
async function hubServer(hub: SseHub, options: () => Attach = () => ({})): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const o = options();
    hub.attach(res, {
      filter: {},
      layers: true,
      address: req.socket.remoteAddress ?? '',
      lastEventId: undefined,
      ...o,
      snapshot: o.snapshot ?? (() => []),
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

async function client(port: number): Promise<{ res: IncomingMessage; text: () => string }> {
  let buf = '';
  const res = await new Promise<IncomingMessage>((resolve) => get(`http://127.0.0.1:${port}/`, resolve));
  res.setEncoding('utf8');
  res.on('data', (c: string) => {
    buf += c;
  });
  await waitUntil(() => buf.includes(': connected'), 'the connected comment');
  return { res, text: () => buf };
}

async function waitUntil(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function messages(text: string): Array<{ id: number; event: PullEvent }> {
  return text
    .split('\n\n')
    .slice(0, -1) // the last part is a message still arriving (or empty)
    .filter((b) => b.includes('data: '))
    .map((b) => ({ id: Number(/^id: (\d+)/m.exec(b)?.[1]), event: JSON.parse(/^data: (.*)$/m.exec(b)?.[1] as string) as PullEvent }));
}

const label = (m: { event: PullEvent }) =>
  `${m.event.type}:${m.event.pull?.id}${m.event.layer ? `/${m.event.layer.digest}` : ''}@${m.event.pull?.downloadedBytes}`;

function setup(t: { after: (fn: () => void) => void }, hub: SseHub, server: Server, ...responses: IncomingMessage[]): void {
  t.after(() => {
    for (const r of responses) r.destroy();
    hub.close();
    server.close();
  });
}

test('one flush: newest progress per pull once, every transition in order, layer events only with layers', async (t) => {
  const hub = new SseHub({ flushMs: 3_600_000 }); // flushed by hand below
  let layers = true;
  const { server, port } = await hubServer(hub, () => ({ layers }));
  const full = await client(port);
  layers = false;
  const summary = await client(port);
  setup(t, hub, server, full.res, summary.res);

  hub.publish(event('a', 1, 'pull.started'));
  for (let i = 2; i <= 50; i++) hub.publish(event('a', i));
  hub.publish(event('a', 51, 'layer.started', 0, 'sha256:l1'));
  for (let i = 52; i <= 60; i++) hub.publish(event('a', i, 'layer.progress', 0, 'sha256:l1'));
  for (let i = 61; i <= 70; i++) hub.publish(event('b', i));
  hub.publish(event('a', 71, 'pull.stalled'));
  hub.publish(event('a', 72));
  hub.publish(event('b', 73, 'pull.completed'));
  hub.flush();

  await waitUntil(() => messages(summary.text()).length === 4 && messages(full.text()).length === 6, 'both variants of the flush');
  assert.deepEqual(messages(full.text()).map(label), [
    'pull.started:a@1',
    'layer.started:a/sha256:l1@51',
    'layer.progress:a/sha256:l1@60',
    'pull.stalled:a@71',
    'pull.progress:a@72',
    'pull.completed:b@73',
  ]);
  assert.deepEqual(
    messages(summary.text()).map(label),
    ['pull.started:a@1', 'pull.stalled:a@71', 'pull.progress:a@72', 'pull.completed:b@73'],
    'a layers=0 client gets no layer events',
  );
  assert.ok(
    messages(summary.text()).every((m) => m.event.pull?.layers === undefined),
    'and no layer arrays',
  );
  const ids = messages(full.text()).map((m) => m.id);
  assert.deepEqual(
    ids,
    [...ids].sort((a, b) => a - b),
    'ids ascend',
  );
});

test('clients of one variant share one serialized chunk; a new client shares one snapshot', async (t) => {
  const hub = new SseHub({ flushMs: 3_600_000 });
  let snapshotCalls = 0;
  const snapshot = () => {
    snapshotCalls++;
    return [event('s', 1).pull as PullStatus];
  };
  const { server, port } = await hubServer(hub, () => ({ snapshot }));
  const clients = await Promise.all(Array.from({ length: 5 }, () => client(port)));
  setup(t, hub, server, ...clients.map((c) => c.res));
  assert.equal(snapshotCalls, 1, 'five clients connecting before a flush cost one snapshot');
  await waitUntil(() => clients.every((c) => messages(c.text()).length === 1), 'the snapshot on every client');
  let serializations = 0;
  const counted = event('a', 2);
  const original = counted.pull as unknown as Record<string, unknown>;
  Object.defineProperty(original, 'imageRef', {
    enumerable: true,
    get: () => {
      serializations++;
      return 'img-a';
    },
  });
  hub.publish(counted);
  hub.flush();
  await waitUntil(() => clients.every((c) => messages(c.text()).length === 2), 'the flush on every client');
  assert.equal(serializations, 1, 'one JSON serialization for five clients of one variant');
  const texts = new Set(clients.map((c) => c.text()));
  assert.equal(texts.size, 1, 'every client received the same bytes');
});

test('a large snapshot is written a piece at a time: each new client costs one piece at once; a reader gets all of it, then live events', async (t) => {
  const hub = new SseHub({ flushMs: 3_600_000 });
  // 40 pulls of 20 KiB: an 800 KiB snapshot, thirteen pieces.
  const snapshot = () => Array.from({ length: 40 }, (_, i) => event(`s${i}`, 1, 'pull.progress', 20 * 1024).pull as PullStatus);
  const queuedAtAttach: number[] = [];
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    hub.attach(res, { filter: {}, layers: true, address: req.socket.remoteAddress ?? '', lastEventId: undefined, snapshot });
    // What this client handed to its socket at once (queued in Node plus taken by the kernel).
    queuedAtAttach.push(res.socket?.bytesWritten ?? 0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const reader = await client(port);
  setup(t, hub, server, reader.res);
  assert.ok((queuedAtAttach[0] ?? 0) < 2 * SNAPSHOT_PIECE_BYTES, `written at attach: ${queuedAtAttach[0]} bytes`);
  await waitUntil(() => messages(reader.text()).length === 40, 'the whole snapshot, piece after piece');
  assert.deepEqual(
    messages(reader.text()).map((m) => m.event.pull?.id),
    Array.from({ length: 40 }, (_, i) => `s${i}`),
    'every pull once, in order',
  );
  hub.publish(event('live', 2));
  hub.flush();
  await waitUntil(() => messages(reader.text()).some((m) => m.event.pull?.id === 'live'), 'a live event after the snapshot');
  assert.equal(messages(reader.text()).length, 41, 'the snapshot is not sent again');
});

test('a quiet server serves one snapshot across flushes; an event makes the next one fresh', async (t) => {
  const hub = new SseHub({ flushMs: 3_600_000 });
  let snapshotCalls = 0;
  let state = 1;
  const snapshot = () => {
    snapshotCalls++;
    return [event('q', state).pull as PullStatus];
  };
  const { server, port } = await hubServer(hub, () => ({ snapshot }));
  const first = await client(port);
  hub.flush();
  hub.flush();
  const second = await client(port);
  const quietCalls = snapshotCalls;
  state = 2;
  hub.publish(event('q', 2));
  hub.flush();
  const third = await client(port);
  setup(t, hub, server, first.res, second.res, third.res);
  assert.equal(quietCalls, 1, 'clients arriving flushes apart, with no event between, share one snapshot');
  assert.equal(snapshotCalls, 2, 'after an event, a new client gets a fresh snapshot');
  await waitUntil(() => messages(third.text()).length === 1 && messages(second.text()).length === 2, 'the snapshots and the flush');
  assert.deepEqual(messages(second.text()).map(label), ['pull.progress:q@1', 'pull.progress:q@2']);
  assert.deepEqual(messages(third.text()).map(label), ['pull.progress:q@2'], 'the fresh snapshot holds the new state');
});

test('a client joining between flushes is not sent events older than its snapshot', async (t) => {
  const hub = new SseHub({ flushMs: 3_600_000 });
  let state = 0;
  const { server, port } = await hubServer(hub, () => ({ snapshot: () => [event('a', state).pull as PullStatus] }));
  const early = await client(port);
  hub.flush(); // the next client gets a snapshot of its own
  state = 5;
  hub.publish(event('a', 5));
  const late = await client(port);
  state = 6;
  hub.publish(event('a', 6, 'pull.stalled'));
  hub.flush();
  setup(t, hub, server, early.res, late.res);
  await waitUntil(() => messages(early.text()).length === 2 && messages(late.text()).length === 2, 'the flush on both clients');
  // The stall carries a newer state than the pending progress @5, which it supersedes.
  assert.deepEqual(messages(early.text()).map(label), ['pull.progress:a@0', 'pull.stalled:a@6']);
  assert.deepEqual(messages(late.text()).map(label), ['pull.progress:a@5', 'pull.stalled:a@6'], 'its snapshot, then only what is newer');
});

test('Last-Event-ID replays what was missed, coalesced; an unknown id gets the snapshot', async (t) => {
  const hub = new SseHub({ flushMs: 3_600_000 });
  let lastEventId: number | undefined;
  const { server, port } = await hubServer(hub, () => ({ lastEventId, snapshot: () => [event('snap', 0).pull as PullStatus] }));
  const first = await client(port);
  setup(t, hub, server, first.res);
  hub.publish(event('p', 1, 'pull.started'));
  hub.flush();
  await waitUntil(() => messages(first.text()).length === 2, 'the started event');
  const seen = messages(first.text())[1]!.id;
  hub.publish(event('p', 2));
  hub.publish(event('p', 3));
  hub.publish(event('p', 4, 'pull.completed'));
  hub.publish(event('q', 5));
  lastEventId = seen;
  const resumed = await client(port);
  lastEventId = 1; // long gone from the buffer: a fresh snapshot
  const fresh = await client(port);
  t.after(() => {
    resumed.res.destroy();
    fresh.res.destroy();
  });
  await waitUntil(() => messages(resumed.text()).length === 2 && messages(fresh.text()).length === 1, 'replay and snapshot');
  assert.deepEqual(messages(resumed.text()).map(label), ['pull.completed:p@4', 'pull.progress:q@5']);
  assert.deepEqual(messages(fresh.text()).map(label), ['pull.progress:snap@0']);
});

test('a slow reader gets the newest state of each pull when it drains, not the backlog', async (t) => {
  const hub = new SseHub({ flushMs: 3_600_000, highWaterBytes: 64 * 1024 });
  const { server, port } = await hubServer(hub);
  const c = await client(port);
  setup(t, hub, server, c.res);
  c.res.pause();
  const published = 3000;
  for (let i = 1; i <= published; i++) {
    hub.publish(event(`p${i % 3}`, i, 'pull.progress', 8 * 1024));
    if (i % 3 === 0) hub.flush();
  }
  c.res.resume();
  await waitUntil(() => {
    const got = messages(c.text());
    return ['p0', 'p1', 'p2'].every((p) => got.some((m) => m.event.pull?.id === p && m.event.pull.downloadedBytes > published - 3));
  }, 'the newest state of p0, p1 and p2');
  const got = messages(c.text());
  assert.ok(got.length < published / 2, `received ${got.length} of ${published} messages: the backlog should be coalesced`);
  assert.equal(hub.size, 1, 'a reader that drains is not dropped');
});

async function nonReader(port: number): Promise<Socket> {
  // A raw socket that sends its request and then never reads a byte.
  const socket: Socket = connect(port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', r));
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  socket.pause();
  return socket;
}

test('a client that never reads is dropped once its unsent data passes the limit; readers go on', async (t) => {
  const drops: SseDropInfo[] = [];
  // A high-water mark above the limit: the hub keeps writing, so the unsent bytes grow.
  const hub = new SseHub({
    flushMs: 3_600_000,
    highWaterBytes: 64 * 1024 * 1024,
    maxUnsentBytes: 1024 * 1024,
    onDrop: (d) => drops.push(d),
  });
  const { server, port } = await hubServer(hub);
  const socket = await nonReader(port);
  const reader = await client(port);
  setup(t, hub, server, reader.res);
  t.after(() => socket.destroy());
  await waitUntil(() => hub.size === 2, 'both clients attached');
  // Transitions are never coalesced, so a non-reader's unsent data only grows. The kernel's
  // socket buffers take a few MiB first; keep publishing until the hub gives up on it.
  let i = 0;
  while (drops.length === 0 && i < 100_000) {
    hub.publish(event(`p${i}`, ++i, 'pull.started', 4 * 1024));
    if (i % 10 === 0) {
      hub.flush();
      await new Promise((r) => setImmediate(r));
    }
  }
  assert.equal(drops.length, 1, `the non-reader was dropped (after ${i} events)`);
  assert.ok(drops[0]!.unsentBytes > drops[0]!.limitBytes);
  assert.equal(drops[0]!.reason, 'unsent');
  assert.equal(drops[0]!.address, '127.0.0.1');
  assert.equal(hub.size, 1, 'the gauge counts only the reader');
  assert.equal(hub.countFor('127.0.0.1'), 1);
  hub.publish(event('last', 1, 'pull.started'));
  hub.flush();
  await waitUntil(() => messages(reader.text()).some((m) => m.event.pull?.id === 'last'), 'the reader to go on receiving');
});

test('a backed-up client is written nothing more, and is dropped once it takes nothing for stallMs', async (t) => {
  const drops: SseDropInfo[] = [];
  const hub = new SseHub({ flushMs: 20, highWaterBytes: 16 * 1024, stallMs: 300, onDrop: (d) => drops.push(d) });
  const { server, port } = await hubServer(hub);
  const socket = await nonReader(port);
  setup(t, hub, server);
  t.after(() => socket.destroy());
  await waitUntil(() => hub.size === 1, 'the client attached');
  let i = 0;
  while (drops.length === 0 && i < 1_000_000) {
    hub.publish(event(`p${i % 20}`, ++i, 'pull.progress', 16 * 1024));
    if (i % 20 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  assert.equal(drops.length, 1);
  assert.equal(drops[0]!.reason, 'stalled');
  assert.ok(drops[0]!.unsentBytes < 4 * 1024 * 1024, `${drops[0]!.unsentBytes} bytes were queued: writes stop once backed up`);
  assert.equal(hub.size, 0);
});

/** 400 pulls of 20 KiB: an 8 MiB snapshot, more than the kernel's buffers of a loopback socket take (about 4 MiB). */
const bigSnapshot = () => Array.from({ length: 400 }, (_, i) => event(`s${i}`, 1, 'pull.progress', 20 * 1024).pull as PullStatus);

/**
 * A raw socket from `localAddress` that asks for the stream and never reads a byte. Its first error
 * is kept in `firstError`: when the server resets it, Node 24 may report ECONNRESET at once, paused
 * as it is (Node 20 waited for the next write), and an error without a listener would end the test.
 */
async function nonReaderFrom(port: number, localAddress: string): Promise<Socket & { firstError: Promise<string | undefined> }> {
  const socket = Object.assign(connect({ port, host: '127.0.0.1', localAddress }), {
    firstError: Promise.resolve<string | undefined>(undefined),
  });
  socket.firstError = new Promise((r) => socket.on('error', (e: NodeJS.ErrnoException) => r(e.code)));
  await new Promise<void>((r) => socket.once('connect', r));
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  socket.pause();
  return socket;
}

test('a client that takes no byte of its snapshot for stallMs is closed; a reader idle as long is not', async (t) => {
  const drops: SseDropInfo[] = [];
  const hub = new SseHub({ flushMs: 20, stallMs: 500, onDrop: (d) => drops.push(d) });
  const { server, port } = await hubServer(hub, () => ({ snapshot: bigSnapshot }));
  const reader = await client(port);
  const socket = await nonReaderFrom(port, '127.0.0.2');
  setup(t, hub, server, reader.res);
  t.after(() => socket.destroy());
  await waitUntil(() => messages(reader.text()).length === 400, 'the reader to get the whole snapshot');
  await waitUntil(() => drops.length === 1, 'the non-reader to be closed');
  assert.equal(drops[0]!.reason, 'stalled');
  assert.equal(drops[0]!.address, '127.0.0.2');
  // Reset, not closed behind the queued data: the next thing the client sends fails at once.
  if (!socket.destroyed) socket.write('x');
  assert.match(String(await socket.firstError), /^(ECONNRESET|EPIPE)$/);
  // Nothing waits for the reader: idle three times stallMs (flushes every 20 ms look at it), it stays.
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(hub.size, 1);
  assert.equal(drops.length, 1);
  hub.publish(event('live', 2));
  hub.flush();
  await waitUntil(() => messages(reader.text()).some((m) => m.event.pull?.id === 'live'), 'the reader to go on receiving');
});

test('evictLongestStalled closes the stream stalled longest, once stalled a second; readers are never evicted', async (t) => {
  const drops: SseDropInfo[] = [];
  const hub = new SseHub({ flushMs: 20, stallMs: 60_000, onDrop: (d) => drops.push(d) });
  const { server, port } = await hubServer(hub, () => ({ snapshot: bigSnapshot }));
  const first = await nonReaderFrom(port, '127.0.0.2');
  const reader = await client(port);
  const second = await nonReaderFrom(port, '127.0.0.3');
  setup(t, hub, server, reader.res);
  t.after(() => {
    first.destroy();
    second.destroy();
  });
  await waitUntil(() => hub.size === 3, 'three clients attached');
  assert.equal(hub.evictLongestStalled(), false, 'nobody has been stalled a second yet');
  await waitUntil(() => hub.evictLongestStalled(), 'a stream stalled long enough to be evicted');
  assert.deepEqual(
    drops.map((d) => [d.reason, d.address]),
    [['evicted', '127.0.0.2']],
  );
  await waitUntil(() => hub.evictLongestStalled(), 'the second non-reader to be evictable');
  assert.deepEqual(
    drops.map((d) => d.address),
    ['127.0.0.2', '127.0.0.3'],
  );
  await waitUntil(() => messages(reader.text()).length === 400, 'the reader to get the whole snapshot');
  assert.equal(hub.evictLongestStalled(), false, 'a reader with nothing waiting is not stalled');
  assert.equal(hub.size, 1);
});

test('heartbeat comments keep idle streams open', async (t) => {
  const hub = new SseHub({ heartbeatMs: 50 });
  const { server, port } = await hubServer(hub);
  const c = await client(port);
  setup(t, hub, server, c.res);
  await waitUntil(() => c.text().includes(': heartbeat'), 'a heartbeat');
});

test('a malformed pull in the flush timer or a snapshot is skipped for the clients it breaks; the others get everything', {
  timeout: 20_000,
}, async (t) => {
  const faults: string[] = [];
  const hub = new SseHub({ flushMs: 20, onFault: (where) => faults.push(where) });
  // a non-string imageRef (what a hostile report once put into the tracker) and a pull JSON cannot encode
  const numberRef = event('bad1', 1);
  (numberRef.pull as unknown as { imageRef: unknown }).imageRef = 12345;
  const unencodable = event('bad2', 2);
  (unencodable.pull as unknown as { note: unknown }).note = 10n;
  let filter = { image: 'img' };
  const snapshot = () => [unencodable.pull as PullStatus, event('s', 0).pull as PullStatus];
  const { server, port } = await hubServer(hub, () => ({ filter, snapshot }));
  const filtered = await client(port);
  filter = {} as typeof filter;
  const everything = await client(port);
  setup(t, hub, server, filtered.res, everything.res);
  await waitUntil(() => messages(everything.text()).length === 1, 'the snapshot without the pull JSON cannot encode');
  assert.deepEqual(messages(everything.text()).map(label), ['pull.progress:s@0']);

  hub.publish(numberRef);
  hub.publish(unencodable);
  hub.publish(event('a', 3));
  await waitUntil(() => messages(filtered.text()).some((m) => m.event.pull?.id === 'a'), 'the good event, through the flush timer');
  await waitUntil(() => messages(everything.text()).some((m) => m.event.pull?.id === 'a'), 'the good event for the unfiltered client');
  assert.deepEqual(messages(filtered.text()).map(label), ['pull.progress:s@0', 'pull.progress:a@3']);
  assert.deepEqual(messages(everything.text()).map(label), ['pull.progress:s@0', 'pull.progress:bad1@1', 'pull.progress:a@3']);
  assert.ok(faults.includes('sse event') && faults.includes('sse snapshot pull'), faults.join(', '));
});
