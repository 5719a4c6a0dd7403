// Bad input gets a clear JSON error and changes nothing; limits answer 401/413/415/429/503.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getJson, layer, MiB, type PulltraceProcess, postReport, pullEntry, startPulltrace, TEST_SERVER_FLAGS } from '../kit/index.js';

const TOKEN = 's3cret-token';
let server: PulltraceProcess;
const auth = { authorization: `Bearer ${TOKEN}` };

before(async () => {
  server = await startPulltrace([
    'server',
    ...TEST_SERVER_FLAGS,
    '--db',
    ':memory:',
    '--agent-token',
    TOKEN,
    '--max-nodes',
    '2',
    '--node-report-rate',
    '1',
    '--max-sse-clients',
    '1',
  ]);
  const ok = await postReport(
    server.baseUrl,
    { nodeName: 'node-a', pulls: [pullEntry('127.0.0.1/app:1', 'sha256:m1', [layer('sha256:l1', 4 * MiB, MiB)])] },
    auth,
  );
  assert.equal(ok.status, 200);
});
after(async () => server?.stop());

async function snapshot(): Promise<string> {
  return JSON.stringify(
    (await getJson<{ pulls: Array<{ bytesPerSec?: number }> }>(`${server.baseUrl}/api/v1/pulls`)).body.pulls.map((p) => ({
      ...p,
      bytesPerSec: 0,
      etaSeconds: 0,
    })),
  );
}

async function expectError(res: Response, status: number, code: string, message: RegExp): Promise<void> {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = (await res.json()) as { error: string; message: string };
  assert.equal(body.error, code);
  assert.match(body.message, message);
}

const invalidReports: Array<[string, unknown, RegExp]> = [
  ['missing nodeName', { pulls: [] }, /nodeName is required/],
  ['nodeName not DNS-1123', { nodeName: 'Bad_Node', pulls: [] }, /nodeName must be a DNS-1123 subdomain/],
  ['nodeName too long', { nodeName: 'a'.repeat(254), pulls: [] }, /nodeName must be at most 253 characters/],
  ['pulls not an array', { nodeName: 'node-a', pulls: {} }, /pulls must be an array/],
  [
    'negative totalBytes',
    { nodeName: 'node-a', pulls: [pullEntry('x', 'sha256:m1', [layer('sha256:l1', -1, 0)])] },
    /pulls\[0\]\.layers\[0\]\.totalBytes must be >= 0/,
  ],
  [
    'fractional downloadedBytes',
    { nodeName: 'node-a', pulls: [pullEntry('x', 'sha256:m1', [layer('sha256:l1', 10, 1.5)])] },
    /pulls\[0\]\.layers\[0\]\.downloadedBytes must be a whole number/,
  ],
  [
    'string bytes',
    {
      nodeName: 'node-a',
      pulls: [pullEntry('x', 'sha256:m1', [{ digest: 'sha256:l1', totalBytes: '10' as unknown as number, downloadedBytes: 0 }])],
    },
    /totalBytes must be a whole number/,
  ],
  [
    'unknown status',
    { nodeName: 'node-a', pulls: [pullEntry('x', 'sha256:m1', [], { status: 'done' as never })] },
    /pulls\[0\]\.status must be one of pulling, unpacking, completed, failed/,
  ],
  [
    'unknown layer state',
    { nodeName: 'node-a', pulls: [pullEntry('x', 'sha256:m1', [layer('sha256:l1', 10, 0, 'gone' as never)])] },
    /layers\[0\]\.state must be one of/,
  ],
  ['not an object', [1, 2], /the body must be an object/],
];

for (const [name, body, message] of invalidReports) {
  test(`report with ${name}: 400 naming the field, state unchanged`, async () => {
    const before = await snapshot();
    await expectError(await postReport(server.baseUrl, body, auth), 400, 'invalid_report', message);
    assert.equal(await snapshot(), before);
  });
}

test('malformed JSON: 400, state unchanged', async () => {
  const before = await snapshot();
  await expectError(await postReport(server.baseUrl, '{"nodeName": "node-a", "pulls": [', auth), 400, 'invalid_json', /not valid JSON/);
  assert.equal(await snapshot(), before);
});

test('missing or wrong token: 401 before the body is read', async () => {
  const body = { nodeName: 'node-a', pulls: [] };
  await expectError(
    await postReport(server.baseUrl, body),
    401,
    'unauthorized',
    /^the agent's credentials were not accepted; the server log says why$/,
  );
  await expectError(
    await postReport(server.baseUrl, body, { authorization: 'Bearer wrong' }),
    401,
    'unauthorized',
    /^the agent's credentials were not accepted; the server log says why$/,
  );
  await expectError(
    await postReport(server.baseUrl, body, { authorization: TOKEN }),
    401,
    'unauthorized',
    /^the agent's credentials were not accepted; the server log says why$/,
  );
  const pulls = (await getJson<{ pulls: unknown[] }>(`${server.baseUrl}/api/v1/pulls`)).body.pulls;
  assert.equal(pulls.length, 1, "the rejected empty report did not complete node-a's pull");
});

test('body over 1 MiB: 413', async () => {
  const big = JSON.stringify({ nodeName: 'node-a', pulls: [{ imageRef: 'x'.repeat(1024 * 1024 + 10), layers: [] }] });
  await expectError(await postReport(server.baseUrl, big, auth), 413, 'body_too_large', /over 1 MiB/);
});

test('not application/json: 415', async () => {
  const res = await fetch(`${server.baseUrl}/api/v1/report`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...auth },
    body: '{}',
  });
  await expectError(res, 415, 'unsupported_media_type', /application\/json/);
});

test('a node reporting too often: 429 with Retry-After, other nodes unaffected', async () => {
  let limited: Response | undefined;
  for (let i = 0; i < 5 && !limited; i++) {
    const res = await postReport(server.baseUrl, { nodeName: 'node-b', pulls: [] }, auth);
    if (res.status === 429) limited = res;
  }
  assert.ok(limited, 'expected a 429 within 5 rapid reports at --node-report-rate 1');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  await expectError(limited, 429, 'too_many_reports', /retry in/);
});

test('beyond --max-nodes: 503 and the node is not tracked', async () => {
  await expectError(await postReport(server.baseUrl, { nodeName: 'node-c', pulls: [] }, auth), 503, 'capacity', /at most 2 nodes/);
  const pulls = (await getJson<{ pulls: Array<{ nodeName: string }> }>(`${server.baseUrl}/api/v1/pulls?node=node-c`)).body.pulls;
  assert.equal(pulls.length, 0);
});

test('beyond --max-sse-clients: 503', async () => {
  const ac = new AbortController();
  const first = await fetch(`${server.baseUrl}/api/v1/events`, { signal: ac.signal });
  assert.equal(first.status, 200);
  try {
    await expectError(await fetch(`${server.baseUrl}/api/v1/events`), 503, 'capacity', /at most 1 event streams/);
  } finally {
    ac.abort();
  }
});

test('bad query parameters: 400 naming the parameter', async () => {
  await expectError(await fetch(`${server.baseUrl}/api/v1/pulls?nodes=x`), 400, 'invalid_request', /unknown query parameter "nodes"/);
  await expectError(
    await fetch(`${server.baseUrl}/api/v1/pulls?layers=maybe`),
    400,
    'invalid_request',
    /"layers" must be 0, 1, false or true/,
  );
  await expectError(await fetch(`${server.baseUrl}/api/v1/history?limit=0`), 400, 'invalid_request', /"limit"/);
  await expectError(
    await fetch(`${server.baseUrl}/api/v1/history?since=last-week`),
    400,
    'invalid_request',
    /"since" must be an RFC 3339 time/,
  );
  await expectError(await fetch(`${server.baseUrl}/api/v1/history?cursor=%3Cnot-a-cursor%3E`), 400, 'invalid_request', /cursor/);
});

test('unknown pull, unknown path and wrong method: JSON 404/405; hostile input not echoed', async () => {
  await expectError(
    await fetch(`${server.baseUrl}/api/v1/pulls/${encodeURIComponent('<script>alert(1)</script>')}`),
    404,
    'not_found',
    /no pull with this id/,
  );
  await expectError(await fetch(`${server.baseUrl}/api/v2/<img src=x>`), 404, 'not_found', /no such endpoint/);
  const res = await fetch(`${server.baseUrl}/api/v1/pulls`, { method: 'DELETE' });
  assert.equal(res.headers.get('allow'), 'GET, HEAD');
  await expectError(res, 405, 'method_not_allowed', /use GET/);
  const text = await (await fetch(`${server.baseUrl}/api/v1/pulls?%3Cb%3E=1`)).text();
  assert.doesNotMatch(text, /<b>/);
});

test('health, readiness, security headers and the page at /', async () => {
  assert.equal(await (await fetch(`${server.baseUrl}/healthz`)).text(), 'ok');
  assert.equal((await fetch(`${server.baseUrl}/readyz`)).status, 200);
  const page = await fetch(`${server.baseUrl}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  assert.doesNotMatch(await page.text(), /<script>(?!<\/script>)[^<]+<\/script>/, 'no inline script');
});
