// Bad input gets a clear JSON error naming what was wrong and changes nothing (through
// `app.inject`; test/server/badInput.test.ts keeps what needs a process: the flags that set the
// token and the limits reaching the listener, and a held event stream).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ReportLayer, ReportPull } from '../../model/index.js';
import { sharedTokenAuth } from '../auth/agentAuth.js';
import { type ApiApp, buildApiApp } from './apiAppFixture.js';

const MiB = 1048576;
const TOKEN = 's3cret-token';
const auth = { authorization: `Bearer ${TOKEN}` };
let api: ApiApp;

const layer = (digest: string, totalBytes: number, downloadedBytes: number, state?: ReportLayer['state']): ReportLayer => ({
  digest,
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  totalBytes,
  downloadedBytes,
  totalKnown: true,
  ...(state ? { state } : {}),
});
const pullEntry = (imageRef: string, manifestDigest: string, layers: ReportLayer[], extra: Partial<ReportPull> = {}): ReportPull => ({
  imageRef,
  manifestDigest,
  status: 'pulling',
  totalKnown: true,
  startedAt: new Date().toISOString(),
  layers,
  ...extra,
});

function post(payload: unknown, headers: Record<string, string> = auth) {
  return api.app.inject({
    method: 'POST',
    url: '/api/v1/report',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

before(async () => {
  api = await buildApiApp({ agentAuth: sharedTokenAuth(TOKEN), limits: { maxNodes: 2 } });
  const ok = await post({ nodeName: 'node-a', pulls: [pullEntry('127.0.0.1/app:1', 'sha256:m1', [layer('sha256:l1', 4 * MiB, MiB)])] });
  assert.equal(ok.statusCode, 200);
});
after(() => api.close());

async function snapshot(): Promise<string> {
  const pulls = ((await api.app.inject({ url: '/api/v1/pulls' })).json() as { pulls: object[] }).pulls;
  return JSON.stringify(pulls.map((p) => ({ ...p, bytesPerSec: 0, etaSeconds: 0 })));
}

function expectError(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  code: string,
  message: RegExp,
) {
  assert.equal(res.statusCode, status);
  assert.match(String(res.headers['content-type'] ?? ''), /application\/json/);
  const body = res.json() as { error: string; message: string };
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
    expectError(await post(body), 400, 'invalid_report', message);
    assert.equal(await snapshot(), before);
  });
}

test('malformed JSON: 400, state unchanged', async () => {
  const before = await snapshot();
  expectError(await post('{"nodeName": "node-a", "pulls": ['), 400, 'invalid_json', /not valid JSON/);
  assert.equal(await snapshot(), before);
});

test('missing, wrong or unprefixed token: 401 with the fixed sentence, nothing changed', async () => {
  const body = { nodeName: 'node-a', pulls: [] };
  const sentence = /^the agent's credentials were not accepted; the server log says why$/;
  expectError(await post(body, {}), 401, 'unauthorized', sentence);
  expectError(await post(body, { authorization: 'Bearer wrong' }), 401, 'unauthorized', sentence);
  expectError(await post(body, { authorization: TOKEN }), 401, 'unauthorized', sentence);
  const pulls = ((await api.app.inject({ url: '/api/v1/pulls' })).json() as { pulls: unknown[] }).pulls;
  assert.equal(pulls.length, 1, "the rejected empty report did not complete node-a's pull");
});

test('body over 1 MiB: 413', async () => {
  const big = JSON.stringify({ nodeName: 'node-a', pulls: [{ imageRef: 'x'.repeat(1024 * 1024 + 10), layers: [] }] });
  expectError(await post(big), 413, 'body_too_large', /over 1 MiB/);
});

test('not application/json: 415', async () => {
  const res = await api.app.inject({
    method: 'POST',
    url: '/api/v1/report',
    headers: { 'content-type': 'text/plain', ...auth },
    payload: '{}',
  });
  expectError(res, 415, 'unsupported_media_type', /application\/json/);
});

test('bad query parameters: 400 naming the parameter', async () => {
  expectError(await api.app.inject({ url: '/api/v1/pulls?nodes=x' }), 400, 'invalid_request', /unknown query parameter "nodes"/);
  expectError(await api.app.inject({ url: '/api/v1/pulls?layers=maybe' }), 400, 'invalid_request', /"layers" must be 0, 1, false or true/);
  expectError(await api.app.inject({ url: '/api/v1/history?limit=0' }), 400, 'invalid_request', /"limit"/);
  expectError(await api.app.inject({ url: '/api/v1/history?since=last-week' }), 400, 'invalid_request', /"since" must be an RFC 3339 time/);
  expectError(await api.app.inject({ url: '/api/v1/history?cursor=%3Cnot-a-cursor%3E' }), 400, 'invalid_request', /cursor/);
});

test('unknown pull, unknown path and wrong method: JSON 404/405; hostile input not echoed', async () => {
  expectError(
    await api.app.inject({ url: `/api/v1/pulls/${encodeURIComponent('<script>alert(1)</script>')}` }),
    404,
    'not_found',
    /no pull with this id/,
  );
  expectError(await api.app.inject({ url: '/api/v2/<img src=x>' }), 404, 'not_found', /no such endpoint/);
  const res = await api.app.inject({ method: 'DELETE', url: '/api/v1/pulls' });
  assert.equal(res.headers.allow, 'GET, HEAD');
  expectError(res, 405, 'method_not_allowed', /use GET/);
  const text = (await api.app.inject({ url: '/api/v1/pulls?%3Cb%3E=1' })).body;
  assert.doesNotMatch(text, /<b>/);
});
