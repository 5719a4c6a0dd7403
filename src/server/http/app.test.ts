// Route behaviour through `app.inject` (no process, no port): JSON errors with catalogue codes,
// agent authentication, 405 with Allow from the registered routes, admission and capacity limits.
// Process-level tests (test/server) keep what needs a process: listeners, timeouts, restarts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AgentReport } from '../../model/index.js';
import { sharedTokenAuth } from '../auth/agentAuth.js';
import { buildApiApp } from './apiAppFixture.js';
import { API_ERROR_CODES } from './apiError.js';
import { registeredApiRoutes } from './app.js';
import { allowedHostNames } from './hostCheck.js';

const report = (nodeName: string, digest = 'sha256:m1'): AgentReport => ({
  nodeName,
  pulls: [
    {
      imageRef: '127.0.0.1/app:1',
      manifestDigest: digest,
      status: 'pulling',
      totalKnown: true,
      layers: [{ digest: 'sha256:l1', totalBytes: 100, downloadedBytes: 10, totalKnown: true }],
    },
  ],
});
const json = { 'content-type': 'application/json' };

let api: Awaited<ReturnType<typeof buildApiApp>>;
before(async () => {
  api = await buildApiApp();
});
after(() => api.close());

/** Asserts a JSON error with a catalogue code; returns its message. */
function assertError(res: { statusCode: number; json(): unknown }, status: number, code: keyof typeof API_ERROR_CODES): string {
  assert.equal(res.statusCode, status);
  const body = res.json() as { error: string; message: string };
  assert.equal(body.error, code);
  assert.ok(code in API_ERROR_CODES);
  assert.equal(typeof body.message, 'string');
  return body.message;
}

test('a report is accepted and its pull served; an unknown id is a 404 not_found', async () => {
  const res = await api.app.inject({ method: 'POST', url: '/api/v1/report', headers: json, payload: report('w1') });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { accepted: true });
  const pulls = (await api.app.inject({ url: '/api/v1/pulls?node=w1' })).json() as { pulls: Array<{ id: string }> };
  assert.equal(pulls.pulls.length, 1);
  const one = await api.app.inject({ url: `/api/v1/pulls/${pulls.pulls[0]?.id}` });
  assert.equal(one.statusCode, 200);
  assertError(await api.app.inject({ url: '/api/v1/pulls/nope' }), 404, 'not_found');
  assertError(await api.app.inject({ url: '/api/v1/nothing-here' }), 404, 'not_found');
});

test('bad input: a clear error naming what was wrong, nothing changed', async () => {
  const before = api.tracker.counts().pulls;
  const table: Array<{
    what: string;
    headers?: Record<string, string>;
    payload: string;
    status: number;
    code: keyof typeof API_ERROR_CODES;
    message?: RegExp;
  }> = [
    { what: 'not JSON', payload: '{"nodeName":', status: 400, code: 'invalid_json' },
    { what: 'wrong media type', headers: { 'content-type': 'text/plain' }, payload: 'x', status: 415, code: 'unsupported_media_type' },
    {
      what: 'negative bytes',
      payload: JSON.stringify({
        nodeName: 'w9',
        pulls: [{ imageRef: 'a', layers: [{ digest: 'd', totalBytes: -1, downloadedBytes: 0 }] }],
      }),
      status: 400,
      code: 'invalid_report',
      message: /pulls\[0\]\.layers\[0\]\.totalBytes must be >= 0/,
    },
    {
      what: 'bad node name',
      payload: JSON.stringify({ nodeName: 'Not A Node', pulls: [] }),
      status: 400,
      code: 'invalid_report',
      message: /DNS-1123/,
    },
    {
      what: 'more layers across its pulls than a report may carry',
      payload: JSON.stringify({
        nodeName: 'w9',
        pulls: [0, 1, 2].map((p) => ({
          imageRef: `127.0.0.1/many-${p}:1`,
          layers: Array.from({ length: 700 }, (_, i) => ({ digest: `sha256:${p}-${i}`, totalBytes: 10, downloadedBytes: 0 })),
        })),
      }),
      status: 400,
      code: 'invalid_report',
      message: /the report has 2100 distinct layers across its 3 pulls.*at most 2048/,
    },
  ];
  for (const row of table) {
    const res = await api.app.inject({ method: 'POST', url: '/api/v1/report', headers: row.headers ?? json, payload: row.payload });
    assert.equal(res.statusCode, row.status, `${row.what}: ${res.body}`);
    const message = assertError(res, row.status, row.code);
    if (row.message) assert.match(message, row.message, row.what);
  }
  assertError(await api.app.inject({ url: '/api/v1/pulls?layers=maybe' }), 400, 'invalid_request');
  assertError(await api.app.inject({ url: '/api/v1/pulls?colour=red' }), 400, 'invalid_request');
  assertError(await api.app.inject({ url: '/api/v1/history?limit=0' }), 400, 'invalid_request');
  assert.equal(api.tracker.counts().pulls, before, 'no bad input changed the pulls');
});

test('a body over 1 MiB is a 413 body_too_large', async () => {
  const payload = JSON.stringify({ nodeName: 'w1', pulls: [], pad: 'x'.repeat(1024 * 1024) });
  assertError(await api.app.inject({ method: 'POST', url: '/api/v1/report', headers: json, payload }), 413, 'body_too_large');
});

test('every other method on a registered API path is a 405 with Allow listing the registered ones', async () => {
  const routes = registeredApiRoutes(api.app);
  assert.deepEqual([...routes.keys()].sort(), [
    '/api/v1/agents',
    '/api/v1/events',
    '/api/v1/history',
    '/api/v1/pulls',
    '/api/v1/pulls/:id',
    '/api/v1/report',
    '/healthz',
    '/readyz',
  ]);
  for (const [url, allowed] of routes) {
    const path = url.replace(':id', 'abc');
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      if (allowed.includes(method)) continue;
      const res = await api.app.inject({ method, url: path, headers: json, payload: '{}' });
      assertError(res, 405, 'method_not_allowed');
      assert.equal(res.headers.allow, allowed.join(', '), `${method} ${path}`);
    }
  }
});

test('agent token: missing or wrong is a 401 with WWW-Authenticate; the right one is accepted', async (t) => {
  const secured = await buildApiApp({ agentAuth: sharedTokenAuth('s3cret') });
  t.after(() => secured.close());
  const post = (authorization?: string) =>
    secured.app.inject({
      method: 'POST',
      url: '/api/v1/report',
      headers: { ...json, ...(authorization ? { authorization } : {}) },
      payload: report('w1'),
    });
  for (const header of [undefined, 'Bearer wrong', 's3cret']) {
    const res = await post(header);
    assertError(res, 401, 'unauthorized');
    assert.equal(res.headers['www-authenticate'], 'Bearer');
  }
  assert.equal(secured.tracker.counts().pulls, 0);
  assert.equal((await post('Bearer s3cret')).statusCode, 200);
});

test('limits: a node over its report rate is a 429 with Retry-After; the server-wide node cap is a 503 capacity', async (t) => {
  const now = 1_800_000_000_000;
  const limited = await buildApiApp({ nodeReportRate: 1, limits: { maxNodes: 1 }, now: () => now });
  t.after(() => limited.close());
  const post = (node: string) => limited.app.inject({ method: 'POST', url: '/api/v1/report', headers: json, payload: report(node) });
  // A burst of twice the rate, then refused until the clock moves.
  assert.equal((await post('w1')).statusCode, 200);
  assert.equal((await post('w1')).statusCode, 200);
  const tooOften = await post('w1');
  assertError(tooOften, 429, 'too_many_reports');
  assert.ok(Number(tooOften.headers['retry-after']) >= 1);
  const full = await post('w2');
  assert.match(assertError(full, 503, 'capacity'), /PULLTRACE_MAX_NODES/);
  assert.equal(full.headers['retry-after'], '30');
});

test('readiness: 503 until the server says it is ready', async (t) => {
  const starting = await buildApiApp({ ready: false });
  t.after(() => starting.close());
  assert.equal((await starting.app.inject({ url: '/readyz' })).statusCode, 503);
  assert.equal((await starting.app.inject({ url: '/healthz' })).statusCode, 200);
});

test("per-client quotas are the client's fault: 429 with Retry-After for a node name beyond the address's allowance and for a node's pulls beyond its cap", async (t) => {
  const limited = await buildApiApp({ maxNodesPerAddress: 1, limits: { maxPullsPerNode: 1 } });
  t.after(() => limited.close());
  const post = (payload: AgentReport) => limited.app.inject({ method: 'POST', url: '/api/v1/report', headers: json, payload });
  assert.equal((await post(report('w1'))).statusCode, 200);
  const otherName = await post(report('w2'));
  assert.match(assertError(otherName, 429, 'too_many_nodes'), /PULLTRACE_MAX_NODES_PER_ADDRESS/);
  assert.equal(otherName.headers['retry-after'], '600');
  const twoPulls = report('w1', 'sha256:m2');
  twoPulls.pulls.push(...report('w1', 'sha256:m3').pulls.map((p) => ({ ...p, imageRef: '127.0.0.1/other:1' })));
  const overPulls = await post(twoPulls);
  assert.match(assertError(overPulls, 429, 'too_many_pulls'), /PULLTRACE_MAX_PULLS_PER_NODE/);
  assert.equal(overPulls.headers['retry-after'], '30');
  assert.deepEqual(
    limited.tracker.list({}, Date.now(), false).map((p) => p.nodeName),
    ['w1'],
    'neither refusal changed the pulls',
  );
});

test('X-Forwarded-For is ignored unless the connection comes from a trusted proxy; then the right-most untrusted entry is the client', async (t) => {
  // The node-name allowance (1 per client address) shows which address a request was charged to.
  const direct = await buildApiApp({ maxNodesPerAddress: 1 });
  const proxied = await buildApiApp({ maxNodesPerAddress: 1, listener: { trustedProxies: ['10.0.0.0/8', 'fd00::/8'] } });
  t.after(() => Promise.all([direct.close(), proxied.close()]));
  const post = (api: typeof direct, node: string, remoteAddress: string, forwardedFor?: string) =>
    api.app.inject({
      method: 'POST',
      url: '/api/v1/report',
      remoteAddress,
      headers: { ...json, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
      payload: report(node),
    });

  // Without the setting, two users forwarded by one proxy are one address.
  assert.equal((await post(direct, 'a1', '10.0.0.5', '203.0.113.1')).statusCode, 200);
  assertError(await post(direct, 'a2', '10.0.0.5', '203.0.113.2'), 429, 'too_many_nodes');

  // With it, each forwarded user is its own client…
  assert.equal((await post(proxied, 'b1', '10.0.0.5', '203.0.113.1')).statusCode, 200);
  assert.equal((await post(proxied, 'b2', '10.0.0.5', '203.0.113.2')).statusCode, 200);
  // …through a chain of trusted proxies, and over IPv6 (an IPv4-mapped proxy address is the same proxy).
  assert.equal((await post(proxied, 'b3', '::ffff:10.0.0.5', '198.51.100.7, 10.9.9.9')).statusCode, 200);
  assert.equal((await post(proxied, 'b4', 'fd00::1', '2001:db8::7')).statusCode, 200);
  // An entry the user wrote left of what the proxy added does not make it someone else.
  assertError(await post(proxied, 'b5', '10.0.0.5', '203.0.113.99, 198.51.100.7'), 429, 'too_many_nodes');
  // A client that is not a trusted proxy cannot name itself someone else.
  assert.equal((await post(proxied, 'c1', '192.0.2.5', '203.0.113.50')).statusCode, 200);
  assertError(await post(proxied, 'c2', '192.0.2.5', '203.0.113.51'), 429, 'too_many_nodes');
});

test('a separate agent port: the viewers listener answers POST /api/v1/report with 404; the agents listener serves only that', async (t) => {
  const viewers = await buildApiApp({ listener: { serves: 'viewers' } });
  const agents = await buildApiApp({ listener: { serves: 'agents' } });
  t.after(() => Promise.all([viewers.close(), agents.close()]));
  assertError(await viewers.app.inject({ method: 'POST', url: '/api/v1/report', headers: json, payload: report('w1') }), 404, 'not_found');
  assert.equal(viewers.tracker.counts().pulls, 0);
  assert.equal((await viewers.app.inject({ url: '/api/v1/pulls' })).statusCode, 200);
  assert.ok(!registeredApiRoutes(viewers.app).has('/api/v1/report'));

  assert.equal((await agents.app.inject({ method: 'POST', url: '/api/v1/report', headers: json, payload: report('w1') })).statusCode, 200);
  assert.deepEqual([...registeredApiRoutes(agents.app).keys()], ['/api/v1/report']);
  for (const url of ['/api/v1/pulls', '/api/v1/events', '/api/v1/history', '/healthz', '/']) {
    assertError(await agents.app.inject({ url }), 404, 'not_found');
  }
  assertError(await agents.app.inject({ url: '/api/v1/report' }), 405, 'method_not_allowed');
});

test('bound to loopback: a Host other than localhost, 127.0.0.1, [::1] or an allowed name is a 421; elsewhere no check', async (t) => {
  const loopback = await buildApiApp({ listener: { allowedHosts: allowedHostNames('127.0.0.1', ['my-laptop']) } });
  t.after(() => loopback.close());
  for (const host of ['rebound.example', 'rebound.example:8080', 'localhost.rebound.example', '127.0.0.2:8080']) {
    for (const [method, url] of [
      ['GET', '/api/v1/pulls'],
      ['GET', '/'],
      ['GET', '/api/v1/events'],
      ['POST', '/api/v1/report'],
      ['GET', '/nothing'],
    ] as const) {
      const res = await loopback.app.inject({
        method,
        url,
        headers: { ...json, host },
        payload: method === 'POST' ? report('w1') : undefined,
      });
      assert.match(assertError(res, 421, 'host_not_allowed'), /PULLTRACE_ALLOWED_HOSTS/, `${method} ${url} Host: ${host}`);
    }
  }
  assert.equal(loopback.tracker.counts().pulls, 0, 'a refused report changed nothing');
  for (const host of ['localhost', 'localhost:8080', '127.0.0.1:8080', '[::1]:8080', '[::1]', 'my-laptop:9000', 'LOCALHOST:1']) {
    assert.equal((await loopback.app.inject({ url: '/api/v1/pulls', headers: { host } })).statusCode, 200, host);
  }
  assert.equal(
    (
      await loopback.app.inject({
        method: 'POST',
        url: '/api/v1/report',
        headers: { ...json, host: '127.0.0.1:8080' },
        payload: report('w1'),
      })
    ).statusCode,
    200,
  );
  assert.equal(
    (await api.app.inject({ url: '/api/v1/pulls', headers: { host: 'pulltrace.example.com' } })).statusCode,
    200,
    'not on loopback',
  );
});

test('stored state cannot make a read answer 500: a malformed pull restored from history is served, filtered out, never thrown on', async () => {
  const local = await buildApiApp();
  after(() => local.close());
  const at = new Date().toISOString();
  // As an older release may have written it from a hostile report: no string where one belongs.
  const malformed = {
    id: 'malformed1',
    nodeName: 'w-old',
    imageRef: 12345,
    status: 'completed',
    startedAt: at,
    completedAt: at,
    pods: [{ namespace: 7, podName: null }],
    layers: [],
  } as unknown as Parameters<typeof local.tracker.restoreFinished>[0][number];
  local.tracker.restoreFinished([malformed], Date.now());
  local.store.enqueue(malformed);
  for (const url of [
    '/api/v1/pulls?image=x',
    '/api/v1/pulls?image=123',
    '/api/v1/pulls?namespace=7',
    '/api/v1/pulls?pod=web',
    '/api/v1/pulls?node=w-old',
    '/api/v1/pulls',
    '/api/v1/pulls/malformed1',
    '/api/v1/history?image=x',
    '/api/v1/history?node=w-old',
  ]) {
    const res = await local.app.inject({ url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
  }
  const byImage = (await local.app.inject({ url: '/api/v1/pulls?image=123' })).json() as { pulls: unknown[] };
  assert.equal(byImage.pulls.length, 0, 'a needle never matches a value that is not text');
});

/** A report of `count` pulls on `node`, started at `startedAt(i)`, each `downloaded` bytes in. */
const manyPulls = (
  node: string,
  count: number,
  startedAt: (i: number) => string,
  status: 'pulling' | 'completed' = 'pulling',
): AgentReport => ({
  nodeName: node,
  pulls: Array.from({ length: count }, (_, i) => ({
    imageRef: `127.0.0.1/app-${i}:1`,
    manifestDigest: `sha256:${node}-${i}`,
    startedAt: startedAt(i),
    status,
    totalKnown: true,
    layers: [{ digest: `sha256:${node}-l${i}`, totalBytes: 100, downloadedBytes: status === 'completed' ? 100 : 10, totalKnown: true }],
  })),
});

test('pulls in pages: limit and cursor give every pull exactly once while pulls start, progress and finish', async (t) => {
  const paged = await buildApiApp();
  t.after(() => paged.close());
  const post = async (r: AgentReport) => {
    const res = await paged.app.inject({ method: 'POST', url: '/api/v1/report', headers: json, payload: r });
    assert.equal(res.statusCode, 200, res.body);
  };
  const base = Date.now() - 3_600_000;
  // Three nodes; node b's pulls share start times with node a's (ties are ordered by id).
  await post(manyPulls('a', 7, (i) => new Date(base + i * 1000).toISOString()));
  await post(manyPulls('b', 7, (i) => new Date(base + i * 1000).toISOString()));
  await post(manyPulls('c', 6, (i) => new Date(base + 500 + i * 1000).toISOString()));
  const initial = ((await paged.app.inject({ url: '/api/v1/pulls' })).json() as { pulls: Array<{ id: string }> }).pulls.map((p) => p.id);
  assert.equal(initial.length, 20);

  const seen: string[] = [];
  let cursor: string | null = null;
  let page = 0;
  do {
    const url: string = `/api/v1/pulls?limit=3&layers=0${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await paged.app.inject({ url });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { pulls: Array<{ id: string; layers?: unknown }>; next: string | null };
    assert.ok(body.pulls.length <= 3);
    assert.ok(
      body.pulls.every((p) => p.layers === undefined),
      'layers=0 holds in pages',
    );
    seen.push(...body.pulls.map((p) => p.id));
    cursor = body.next;
    page++;
    // Between pages the pulls change: node a progresses and finishes, node d starts new pulls (now
    // and back-dated into pages not yet read), node c reports progress.
    if (page === 2) await post(manyPulls('a', 7, (i) => new Date(base + i * 1000).toISOString(), 'completed'));
    if (page === 3) await post(manyPulls('d', 4, (i) => new Date(i % 2 ? Date.now() : base + 250 + i * 1000).toISOString()));
    if (page === 4) await post(manyPulls('c', 6, (i) => new Date(base + 500 + i * 1000).toISOString()));
  } while (cursor);
  assert.equal(new Set(seen).size, seen.length, `no pull twice: ${seen.join(' ')}`);
  for (const id of initial) assert.ok(seen.includes(id), `pull ${id}, there the whole time, was seen`);
  // A page is the unpaged order cut in pieces.
  const first = (await paged.app.inject({ url: '/api/v1/pulls?limit=5' })).json() as { pulls: Array<{ id: string }>; next: string };
  const all = ((await paged.app.inject({ url: '/api/v1/pulls' })).json() as { pulls: Array<{ id: string }> }).pulls.map((p) => p.id);
  assert.deepEqual(
    first.pulls.map((p) => p.id),
    all.slice(0, 5),
  );
  assert.equal(typeof first.next, 'string');
  // Without limit or cursor the answer keeps the v1 shape: no `next`.
  assert.deepEqual(Object.keys((await paged.app.inject({ url: '/api/v1/pulls' })).json() as object), ['pulls']);
});

test('pulls in pages: a bad limit or cursor is a 400 naming the parameter', async () => {
  const badLimit = /query parameter "limit" must be a whole number from 1 to 500/;
  const badCursor = /query parameter "cursor" is not a value returned in "next" by an earlier page of \/api\/v1\/pulls/;
  const historyCursor = Buffer.from(JSON.stringify([1, 'x'])).toString('base64url');
  for (const [url, message] of [
    ['/api/v1/pulls?limit=0', badLimit],
    ['/api/v1/pulls?limit=501', badLimit],
    ['/api/v1/pulls?limit=ten', badLimit],
    ['/api/v1/pulls?limit=3&limit=4', /query parameter "limit" is given more than once/],
    ['/api/v1/pulls?limit=3&cursor=not-a-cursor', badCursor],
    ['/api/v1/pulls?cursor=%24%24', badCursor],
    [`/api/v1/pulls?cursor=${historyCursor}`, badCursor],
  ] as const) {
    assert.match(assertError(await api.app.inject({ url }), 400, 'invalid_request'), message, url);
  }
});

test('reads are rate-limited per address: 429 with Retry-After past the burst, another address unaffected', async (t) => {
  let now = 1_800_000_000_000;
  const limited = await buildApiApp({ readLimits: { perSecond: 2, burst: 3 }, now: () => now });
  t.after(() => limited.close());
  const read = (url: string, remoteAddress: string) => limited.app.inject({ url, remoteAddress });
  for (const url of ['/api/v1/pulls', '/api/v1/history', '/api/v1/pulls/unknown']) {
    const res = await read(url, '10.0.0.1');
    assert.notEqual(res.statusCode, 429, url);
  }
  for (const url of ['/api/v1/pulls', '/api/v1/history?limit=1', '/api/v1/pulls/unknown']) {
    const refused = await read(url, '10.0.0.1');
    assert.match(assertError(refused, 429, 'too_many_reads'), /PULLTRACE_READ_RATE/);
    assert.equal(refused.headers['retry-after'], '1', url);
  }
  assert.equal((await read('/api/v1/pulls', '10.0.0.2')).statusCode, 200, 'another address is not limited');
  assert.equal((await read('/healthz', '10.0.0.1')).statusCode, 200, '/healthz is not a read');
  assert.equal(
    (await limited.app.inject({ method: 'POST', url: '/api/v1/report', headers: json, payload: report('w1'), remoteAddress: '10.0.0.1' }))
      .statusCode,
    200,
    'reports are not reads',
  );
  now += 1000;
  assert.equal((await read('/api/v1/pulls', '10.0.0.1')).statusCode, 200, 'a second later the address may read again');
});
