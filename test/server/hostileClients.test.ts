// Hostile and broken clients against a real listening server: wrong methods get 405 with Allow
// before any body is read; a client rotating node names is limited by its address (its own
// real node keeps reporting); huge numbers and unbelievable times are refused; a silent node's
// pulls end and resume under the same id.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  getJson,
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

/** One raw request (node:http, so headers and an empty body are exactly what is sent). */
function raw(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('wrong methods, rotating names, huge numbers', () => {
  let server: PulltraceProcess;
  before(async () => {
    server = await startPulltrace([
      'server',
      ...TEST_SERVER_FLAGS,
      '--db',
      ':memory:',
      '--max-nodes-per-address',
      '3',
      '--node-report-rate',
      '2',
      '--max-nodes',
      '5',
    ]);
  });
  after(async () => server?.stop());

  test('405 JSON with Allow for a wrong method on a known path, even with an empty JSON body', async () => {
    for (const [method, path, headers, allow] of [
      ['DELETE', '/api/v1/report', { 'content-type': 'application/json' }, 'POST'],
      ['DELETE', '/api/v1/report', {}, 'POST'],
      ['PUT', '/api/v1/report', { 'content-type': 'application/json' }, 'POST'],
      ['GET', '/api/v1/report', {}, 'POST'],
      ['POST', '/api/v1/pulls', { 'content-type': 'application/json' }, 'GET, HEAD'],
      ['DELETE', '/healthz', {}, 'GET, HEAD'],
      ['PATCH', '/api/v1/events', { 'content-type': 'text/plain' }, 'GET, HEAD'],
    ] as const) {
      const res = await raw(server.baseUrl, method, path, headers);
      assert.equal(res.status, 405, `${method} ${path}: ${res.body}`);
      assert.equal(res.headers.allow, allow, `${method} ${path}`);
      assert.match(String(res.headers['content-type']), /application\/json/);
      assert.equal(JSON.parse(res.body).error, 'method_not_allowed');
    }
  });

  test('a client rotating node names is refused beyond its address limit; its real node keeps reporting', async () => {
    const real = { nodeName: 'real-node', pulls: [pullEntry('127.0.0.1/app:1', 'sha256:real', [layer('sha256:r1', 4 * MiB, MiB)])] };
    assert.equal((await postReport(server.baseUrl, real)).status, 200);
    const answers: number[] = [];
    let refusal: { status: number; retryAfter: string | null; body: { error: string; message: string } } | undefined;
    for (let i = 0; i < 4; i++) {
      const res = await postReport(server.baseUrl, { nodeName: `fake-${i}`, pulls: [pullEntry(`x/${i}`, `sha256:f${i}`, [])] });
      answers.push(res.status);
      if (res.status !== 200 && !refusal)
        refusal = { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
      else await res.body?.cancel();
    }
    assert.deepEqual(answers, [200, 200, 429, 429], 'two more names fit (3 per address with real-node), then refused as its own quota');
    assert.equal(refusal?.body.error, 'too_many_nodes');
    assert.match(refusal?.body.message ?? '', /PULLTRACE_MAX_NODES_PER_ADDRESS.*node fake-2 is refused/);
    assert.ok(Number(refusal?.retryAfter) > 0, 'Retry-After');
    const nodes = new Set(
      (await getJson<{ pulls: Array<{ nodeName: string }> }>(`${server.baseUrl}/api/v1/pulls`)).body.pulls.map((p) => p.nodeName),
    );
    assert.deepEqual([...nodes].sort(), ['fake-0', 'fake-1', 'real-node'], 'the global node cap (5) was not filled');
    const again = await waitFor(
      async () => {
        const res = await postReport(server.baseUrl, real);
        await res.body?.cancel();
        return res.status === 200 ? res : undefined;
      },
      { timeoutMs: 10_000, what: 'the real node to be accepted again' },
    );
    assert.equal(again.status, 200);
  });

  test('the per-address report rate applies before the body is read', async () => {
    // 3 names × 2/s = 6/s, burst 12: garbage bodies are refused with 429, not parsed (400).
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await raw(server.baseUrl, 'POST', '/api/v1/report', { 'content-type': 'application/json' }, '{"nodeName": ');
      statuses.push(res.status);
      if (res.status === 429) {
        assert.ok(Number(res.headers['retry-after']) >= 1, 'Retry-After');
        assert.equal(JSON.parse(res.body).error, 'too_many_reports');
        assert.match(JSON.parse(res.body).message, /too many reports from this client/);
        break;
      }
    }
    assert.equal(statuses.at(-1), 429, `statuses: ${statuses.join(',')}`);
    assert.ok(statuses.slice(0, -1).every((s) => s === 400 || s === 429));
  });
});

describe('numbers and times a reader cannot use are refused', () => {
  let server: PulltraceProcess;
  before(async () => {
    server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--node-report-rate', '1000']);
  });
  after(async () => server?.stop());

  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['1e21 bytes', { totalBytes: 1e21 }, /pulls\[0\]\.layers\[0\]\.totalBytes must be <= 9007199254740991/],
    ['2^53 + 1 bytes', { downloadedBytes: 2 ** 53 + 1 }, /pulls\[0\]\.layers\[0\]\.downloadedBytes must be <= 9007199254740991/],
    ['2^64 bytes', { totalBytes: 2 ** 64 }, /totalBytes must be <= 9007199254740991/],
    ['1e300 bytes', { downloadedBytes: 1e300 }, /downloadedBytes must be <= 9007199254740991/],
  ];
  for (const [name, override, message] of cases) {
    test(`${name}: 400 naming the field`, async () => {
      const l = { ...layer('sha256:l1', 10, 0), ...override };
      const res = await postReport(server.baseUrl, { nodeName: 'node-n', pulls: [pullEntry('a', 'sha256:m', [l])] });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { error: string; message: string };
      assert.equal(body.error, 'invalid_report');
      assert.match(body.message, message);
    });
  }

  for (const [startedAt, message] of [
    ['1970-01-01T00:00:00Z', /pulls\[0\]\.startedAt must be after 2000-01-01/],
    ['2999-01-01T00:00:00Z', /pulls\[0\]\.startedAt is more than 10 minutes ahead/],
    ['not a time', /pulls\[0\]\.startedAt must be an RFC 3339 time/],
  ] as const) {
    test(`startedAt ${startedAt}: 400`, async () => {
      const res = await postReport(server.baseUrl, { nodeName: 'node-t', pulls: [pullEntry('a', 'sha256:m', [], { startedAt })] });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { message: string }).message, message);
    });
  }

  test("Go's zero time still means unknown", async () => {
    const res = await postReport(server.baseUrl, {
      nodeName: 'node-z',
      pulls: [pullEntry('a', 'sha256:m', [], { startedAt: '0001-01-01T00:00:00Z' })],
    });
    assert.equal(res.status, 200);
  });

  test('more than 1,024 layers in one pull after merging: 400 naming the pull', async () => {
    const layers = (p: string) => Array.from({ length: 700 }, (_, i) => layer(`sha256:${p}${i}`, 10, 0));
    const res = await postReport(server.baseUrl, {
      nodeName: 'node-l',
      pulls: [pullEntry('127.0.0.1/big:1', 'sha256:big', layers('a')), pullEntry('127.0.0.1/big:1', 'sha256:big', layers('b'))],
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: string; message: string };
    assert.equal(body.error, 'invalid_report');
    assert.match(body.message, /pulls\[0\] \(image "127\.0\.0\.1\/big:1"\) has 1400 distinct layers.*at most 1024/);
    const pulls = (await getJson<{ pulls: Array<{ nodeName: string }> }>(`${server.baseUrl}/api/v1/pulls?node=node-l`)).body.pulls;
    assert.equal(pulls.length, 0, 'nothing stored');
  });
});

describe('a node that goes silent', () => {
  let server: PulltraceProcess;
  before(async () => {
    server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--node-timeout', '1s', '--stall-timeout', '1h']);
  });
  after(async () => server?.stop());

  test('its unfinished pulls end failed; reported again, the pull resumes under the same id', async (t) => {
    const sse = await SseRecorder.connect(`${server.baseUrl}/api/v1/events`);
    t.after(() => sse.close());
    const startedAt = new Date().toISOString();
    const entry = (down: number, extra = {}) =>
      pullEntry('127.0.0.1/quiet:1', 'sha256:quiet', [layer('sha256:q1', 8 * MiB, down)], { startedAt, ...extra });
    assert.equal((await postReport(server.baseUrl, { nodeName: 'quiet-node', pulls: [entry(MiB)] })).status, 200);
    const failed = await sse.waitForEvent((e) => e.type === 'pull.failed' && e.nodeName === 'quiet-node', 'the silent node’s pull to fail');
    assert.equal(failed.pull?.error, 'agent on quiet-node stopped reporting');
    assert.equal(failed.pull?.status, 'failed');
    const id = failed.pull?.id;

    assert.equal((await postReport(server.baseUrl, { nodeName: 'quiet-node', pulls: [entry(4 * MiB)] })).status, 200);
    const resumed = await sse.waitForEvent((e) => e.type === 'pull.resumed', 'pull.resumed');
    assert.equal(resumed.pull?.id, id, 'same id');
    assert.equal(resumed.pull?.status, 'pulling');
    const current = (await getJson<{ status: string; downloadedBytes: number; error?: string }>(`${server.baseUrl}/api/v1/pulls/${id}`))
      .body;
    assert.equal(current.status, 'pulling');
    assert.equal(current.downloadedBytes, 4 * MiB);
    assert.equal(current.error, undefined);
    assert.equal(sse.events.filter((e) => e.type === 'pull.started').length, 1, 'not a new pull');
    const log = server.logs().find((l) => l.type === 'pull.resumed');
    assert.ok(log, 'the resume is a lifecycle log line');
  });
});
