import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { PullEvent, PullStatus } from '../../model/index.js';
import { SseHub } from './sseHub.js';

function event(pullId: string, seq: number, padding = 0): PullEvent {
  const pull = {
    id: pullId,
    nodeName: 'w1',
    imageRef: `img-${pullId}`,
    status: 'pulling',
    pods: [],
    downloadedBytes: seq,
    note: 'x'.repeat(padding),
  };
  return {
    schemaVersion: 'v1',
    timestamp: new Date().toISOString(),
    type: 'pull.progress',
    nodeName: 'w1',
    pull: pull as unknown as PullStatus,
  };
}

async function serve(
  hub: SseHub,
  lastEventId?: number,
  snapshot: PullStatus[] = [],
): Promise<{ server: Server; res: IncomingMessage; text: () => string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    hub.attach(res, {}, true, lastEventId, () => snapshot);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  let buf = '';
  const res = await new Promise<IncomingMessage>((resolve) => get(`http://127.0.0.1:${port}/`, resolve));
  res.setEncoding('utf8');
  res.on('data', (c: string) => {
    buf += c;
  });
  await waitUntil(() => buf.includes(': connected'));
  return { server, res, text: () => buf };
}

async function waitUntil(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for the SSE stream');
    await new Promise((r) => setImmediate(r));
  }
}

function dataLines(text: string): Array<{ id: number; event: PullEvent }> {
  return text
    .split('\n\n')
    .filter((b) => b.includes('data: '))
    .map((b) => ({ id: Number(/^id: (\d+)/m.exec(b)?.[1]), event: JSON.parse(/^data: (.*)$/m.exec(b)?.[1] as string) as PullEvent }));
}

test('a slow client gets the latest state of each pull, not the backlog', async (t) => {
  const hub = new SseHub({ highWaterBytes: 64 * 1024 });
  const { server, res, text } = await serve(hub);
  t.after(() => {
    res.destroy();
    hub.close();
    server.close();
  });
  res.pause();
  const published = 3000;
  for (let i = 1; i <= published; i++) hub.publish(event(`p${i % 3}`, i, 8 * 1024));
  res.resume();
  await waitUntil(() => {
    const got = dataLines(text());
    return ['p0', 'p1', 'p2'].every((p) => got.some((m) => m.event.pull?.id === p && m.event.pull.downloadedBytes > published - 3));
  }, 15_000);
  const got = dataLines(text());
  assert.ok(got.length < published / 2, `received ${got.length} of ${published} messages: coalescing should drop the backlog`);
  for (const p of ['p0', 'p1', 'p2']) {
    const last = got.filter((m) => m.event.pull?.id === p).at(-1)!;
    assert.ok(last.event.pull!.downloadedBytes > published - 3, `${p} ends at its latest state`);
  }
});

test('Last-Event-ID replays only what was missed; an unknown id gets the snapshot', async (t) => {
  const hub = new SseHub();
  t.after(() => hub.close());
  for (let i = 1; i <= 5; i++) hub.publish(event('p', i));
  const all = await serve(hub);
  const ids = dataLines(all.text());
  assert.equal(ids.length, 0, 'a new client without Last-Event-ID and an empty snapshot gets no replay');
  all.res.destroy();
  all.server.close();

  // Learn the ids by attaching a replaying client from far back.
  const fromStart = await serve(hub, 0, [event('snap', 0).pull as PullStatus]);
  t.after(() => {
    fromStart.res.destroy();
    fromStart.server.close();
  });
  const snap = dataLines(fromStart.text());
  assert.deepEqual(
    snap.map((m) => m.event.pull?.id),
    ['snap'],
    'an id older than the buffer gets the snapshot',
  );
  hub.publish(event('p', 6));
  await waitUntil(() => dataLines(fromStart.text()).length === 2);
  const id6 = dataLines(fromStart.text())[1]!.id;
  hub.publish(event('p', 7));
  hub.publish(event('p', 8));
  const resumed = await serve(hub, id6);
  t.after(() => {
    resumed.res.destroy();
    resumed.server.close();
  });
  await waitUntil(() => dataLines(resumed.text()).length === 2);
  assert.deepEqual(
    dataLines(resumed.text()).map((m) => m.event.pull!.downloadedBytes),
    [7, 8],
  );
});

test('heartbeat comments keep idle streams open', async (t) => {
  const hub = new SseHub({ heartbeatMs: 50 });
  const { server, res, text } = await serve(hub);
  t.after(() => {
    res.destroy();
    hub.close();
    server.close();
  });
  await waitUntil(() => text().includes(': heartbeat'));
});
