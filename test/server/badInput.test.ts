// The flags that guard the report and event endpoints reach a real server: --agent-token (401),
// --node-report-rate (429), --max-nodes and --max-sse-clients (503, the latter on a held stream).
// What bad input gets back, field by field, is tested through app.inject in
// src/server/http/badInput.test.ts.
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

async function expectError(res: Response, status: number, code: string, message: RegExp): Promise<void> {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = (await res.json()) as { error: string; message: string };
  assert.equal(body.error, code);
  assert.match(body.message, message);
}

test('--agent-token: a missing or wrong token is a 401, and changes nothing', async () => {
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
  const pulls = (await getJson<{ pulls: unknown[] }>(`${server.baseUrl}/api/v1/pulls`)).body.pulls;
  assert.equal(pulls.length, 1, "the rejected empty report did not complete node-a's pull");
});

test('--node-report-rate: a node reporting too often gets a 429 with Retry-After', async () => {
  let limited: Response | undefined;
  for (let i = 0; i < 5 && !limited; i++) {
    const res = await postReport(server.baseUrl, { nodeName: 'node-b', pulls: [] }, auth);
    if (res.status === 429) limited = res;
  }
  assert.ok(limited, 'expected a 429 within 5 rapid reports at --node-report-rate 1');
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  await expectError(limited, 429, 'too_many_reports', /retry in/);
});

test('--max-nodes: beyond it a 503, and the node is not tracked', async () => {
  await expectError(await postReport(server.baseUrl, { nodeName: 'node-c', pulls: [] }, auth), 503, 'capacity', /at most 2 nodes/);
  const pulls = (await getJson<{ pulls: Array<{ nodeName: string }> }>(`${server.baseUrl}/api/v1/pulls?node=node-c`)).body.pulls;
  assert.equal(pulls.length, 0);
});

test('--max-sse-clients: a stream beyond it is a 503 while the first is held open', async () => {
  const ac = new AbortController();
  const first = await fetch(`${server.baseUrl}/api/v1/events`, { signal: ac.signal });
  assert.equal(first.status, 200);
  try {
    await expectError(await fetch(`${server.baseUrl}/api/v1/events`), 503, 'capacity', /at most 1 event streams/);
  } finally {
    ac.abort();
  }
});
