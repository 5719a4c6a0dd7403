import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../log/index.js';
import { type AgentReport, REPORT_LIMITS } from '../model/index.js';
import { Reporter, reportUrl } from './reporter.js';

function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: createLogger('debug', stream as never), lines };
}

const report = (n: number): AgentReport => ({ nodeName: 'node-1', timestamp: new Date(n).toISOString(), pulls: [] });

async function server(handler: (req: IncomingMessage, body: string) => number): Promise<{ url: string; srv: Server }> {
  const srv = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    res.statusCode = handler(req, body);
    res.end('{}');
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, srv };
}

async function until(cond: () => boolean, what: string, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('reportUrl joins the API path to any base', () => {
  assert.equal(reportUrl('http://s:8080'), 'http://s:8080/api/v1/report');
  assert.equal(reportUrl('http://s:8080/'), 'http://s:8080/api/v1/report');
});

test('posts JSON with the bearer token and reports delivery', async (t) => {
  const got: Array<{ auth?: string; type?: string; body: AgentReport }> = [];
  const { url, srv } = await server((req, body) => {
    got.push({ auth: req.headers.authorization, type: req.headers['content-type'], body: JSON.parse(body) });
    return 200;
  });
  t.after(() => srv.close());
  const delivered: AgentReport[] = [];
  const { logger } = captureLogger();
  const r = new Reporter({ serverUrl: url, token: 's3cret', timeoutMs: 2000, logger, onDelivered: (x) => delivered.push(x) });
  r.offer(report(1));
  await until(() => delivered.length === 1, 'delivery');
  assert.deepEqual(got, [{ auth: 'Bearer s3cret', type: 'application/json', body: report(1) }]);
  await r.close();
});

test('server down: logs once, keeps only the latest snapshot, logs once when back', async (t) => {
  let up = false;
  const received: AgentReport[] = [];
  const { url, srv } = await server((_req, body) => {
    if (!up) return 503;
    received.push(JSON.parse(body));
    return 200;
  });
  t.after(() => srv.close());
  const { logger, lines } = captureLogger();
  let delivered = 0;
  const r = new Reporter({ serverUrl: url, token: '', timeoutMs: 2000, logger, onDelivered: () => delivered++ });
  for (let i = 1; i <= 5; i++) {
    r.offer(report(i));
    await new Promise((res) => setTimeout(res, 20));
  }
  await until(() => !(r as unknown as { inFlight?: unknown }).inFlight, 'idle');
  assert.equal(lines.filter((l) => l.level === 'warn').length, 1, 'one warning for the whole outage');
  up = true;
  r.offer(report(6));
  r.offer(report(7));
  await until(() => delivered >= 1 && !(r as unknown as { inFlight?: unknown }).inFlight, 'delivery after recovery');
  assert.equal(received.at(-1)?.timestamp, report(7).timestamp, 'the newest snapshot is sent');
  assert.ok(received.length <= 2, 'no backlog replay');
  assert.equal(lines.filter((l) => l.msg === 'reporting to the server again').length, 1);
  await r.close();
});

test('a refused connection is an outage, not a crash', async () => {
  const { url, srv } = await server(() => 200);
  await new Promise((res) => srv.close(res));
  const { logger, lines } = captureLogger();
  const r = new Reporter({ serverUrl: url, token: '', timeoutMs: 1000, logger, onDelivered: () => {} });
  r.offer(report(1));
  await until(() => lines.some((l) => l.level === 'warn'), 'warning');
  assert.match(String(lines.find((l) => l.level === 'warn')?.reason), /ECONNREFUSED/);
  await r.close();
});

test('an oversized pull is sent trimmed to the schema limits and logged once', async (t) => {
  const bodies: AgentReport[] = [];
  const { url, srv } = await server((_req, body) => {
    bodies.push(JSON.parse(body));
    return 200;
  });
  t.after(() => srv.close());
  const { logger, lines } = captureLogger();
  let delivered = 0;
  const r = new Reporter({ serverUrl: url, token: '', timeoutMs: 2000, logger, onDelivered: () => delivered++ });
  const layers = Array.from({ length: REPORT_LIMITS.layersPerPull + 7 }, (_, i) => ({
    digest: `sha256:${i.toString(16).padStart(64, '0')}`,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    totalBytes: 10,
    downloadedBytes: 0,
    totalKnown: true,
    state: 'waiting' as const,
  }));
  const big: AgentReport = {
    nodeName: 'node-1',
    pulls: [{ imageRef: 'registry.example.com/many:1', manifestDigest: 'sha256:m', startedAt: '2026-11-27T10:00:00.000Z', layers }],
  };
  for (let i = 1; i <= 3; i++) {
    r.offer(big);
    await until(() => delivered === i, `delivery ${i}`);
  }
  assert.equal(bodies.length, 3);
  for (const b of bodies) {
    assert.equal(b.pulls[0]?.layers.length, REPORT_LIMITS.layersPerPull);
    assert.equal(b.pulls[0]?.layersOmitted, 7);
  }
  const warnings = lines.filter((l) => /over the report limits/.test(String(l.msg)));
  assert.equal(warnings.length, 1, 'one warning for the pull, not one per report');
  assert.equal(warnings[0]?.layersOmitted, 7);
  await r.close();
});

test('delivery reports what was sent: pulls left out of the body are not delivered', async (t) => {
  const { url, srv } = await server(() => 200);
  t.after(() => srv.close());
  const { logger, lines } = captureLogger();
  const delivered: AgentReport[] = [];
  const r = new Reporter({ serverUrl: url, token: '', timeoutMs: 2000, logger, onDelivered: (x) => delivered.push(x) });
  const pulls = Array.from({ length: REPORT_LIMITS.pulls + 2 }, (_, i) => ({
    imageRef: `registry.example.com/app-${i}:1`,
    manifestDigest: `sha256:m${i}`,
    startedAt: new Date(1_800_000_000_000 + i).toISOString(),
    status: 'completed' as const,
    layers: [],
  }));
  r.offer({ nodeName: 'node-1', pulls });
  await until(() => delivered.length === 1, 'delivery');
  assert.equal(delivered[0]?.pulls.length, REPORT_LIMITS.pulls);
  assert.equal(delivered[0]?.pulls[0]?.manifestDigest, 'sha256:m2', 'the two oldest were left out');
  assert.equal(lines.filter((l) => /too many pulls for one report/.test(String(l.msg))).length, 1);
  await r.close();
});

test('after a failure the next attempt waits a jittered backoff; Retry-After is honoured', async (t) => {
  let calls = 0;
  const { url, srv } = await server(() => {
    calls++;
    return 503;
  });
  t.after(() => srv.close());
  const { logger } = captureLogger();
  const r = new Reporter({
    serverUrl: url,
    token: '',
    timeoutMs: 2000,
    logger,
    onDelivered: () => {},
    backoff: { baseMs: 60_000, capMs: 60_000 },
    random: () => 0.5,
  });
  r.offer(report(1));
  await until(() => calls === 1 && r.retryInMs > 0, 'the first failure');
  assert.ok(r.retryInMs > 20_000 && r.retryInMs <= 30_000, `half of the 60 s bound (got ${r.retryInMs} ms)`);
  for (let i = 2; i <= 5; i++) r.offer(report(i));
  await new Promise((res) => setImmediate(res));
  assert.equal(calls, 1, 'offers during the backoff send nothing');
  await r.close();
});

test('a server URL with credentials is logged with them masked', async () => {
  const { url, srv } = await server(() => 200);
  const { port } = new URL(url);
  await new Promise((r) => srv.close(r));
  const { logger, lines } = captureLogger();
  const r = new Reporter({
    serverUrl: `http://agent:s3cret-pw@127.0.0.1:${port}`,
    token: '',
    timeoutMs: 1000,
    logger,
    onDelivered: () => {},
  });
  r.offer(report(1));
  await until(
    () => lines.some((l) => l.msg === 'cannot report to the server; will keep polling and send only the latest snapshot once it answers'),
    'the outage line',
  );
  await r.close();
  assert.equal(lines.find((l) => typeof l.url === 'string')?.url, `http://***@127.0.0.1:${port}/api/v1/report`);
  assert.ok(!JSON.stringify(lines).includes('s3cret-pw'));
});

test("a 429 (this agent's own quota) is named as such and waits the server's Retry-After, up to ten times the backoff cap", async (t) => {
  let calls = 0;
  const srv = createServer((req, res) => {
    calls++;
    req.resume();
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '600' });
    res.end(JSON.stringify({ error: 'too_many_nodes', message: 'this client already reports for 8 other nodes' }));
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  t.after(() => srv.close());
  const { logger, lines } = captureLogger();
  const r = new Reporter({
    serverUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    token: '',
    timeoutMs: 2000,
    logger,
    onDelivered: () => {},
    backoff: { baseMs: 1_000, capMs: 15_000 },
    random: () => 0.5,
  });
  r.offer(report(1));
  await until(() => calls === 1 && r.retryInMs > 0, 'the refusal');
  assert.ok(r.retryInMs > 149_000 && r.retryInMs <= 150_500, `Retry-After 600 s, capped at 150 s (got ${r.retryInMs} ms)`);
  const warn = lines.find((l) => l.level === 'warn' || l.level === 40);
  assert.match(String(warn?.reason), /limits this agent's reports for now \(HTTP 429: this client already reports for 8 other nodes\)/);
  await r.close();
});
