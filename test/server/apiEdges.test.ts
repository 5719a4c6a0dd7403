// The query edges of the pull API against a real server: `status` takes exact states (comma-separated,
// `active`), unknown words are a 400 naming them, and `layers` means the same on every endpoint that
// returns pulls, with strict boolean words.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PullStatus } from '../../src/model/index.js';
import { getJson, layer, MiB, type PulltraceProcess, postReport, pullEntry, startPulltrace, TEST_SERVER_FLAGS } from '../kit/index.js';

let server: PulltraceProcess;
const ids: Record<'pulling' | 'completed' | 'failed', string> = { pulling: '', completed: '', failed: '' };

async function pullsOf(query: string): Promise<PullStatus[]> {
  const { status, body } = await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/pulls?${query}`);
  assert.equal(status, 200, query);
  return body.pulls;
}

before(async () => {
  server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:']);
  // One node per pull, so each reaches its state with its own reports.
  const l = (d: string, done: number) => layer(d, 2 * MiB, done, done === 2 * MiB ? 'done' : 'downloading');
  const post = async (node: string, pulls: unknown[]) =>
    assert.equal((await postReport(server.baseUrl, { nodeName: node, pulls })).status, 200);
  await post('node-pulling', [pullEntry('127.0.0.1/edge/pulling:1', 'sha256:m-p', [l('sha256:lp', MiB)])]);
  await post('node-completed', [pullEntry('127.0.0.1/edge/completed:1', 'sha256:m-c', [l('sha256:lc', MiB)])]);
  await post('node-completed', [pullEntry('127.0.0.1/edge/completed:1', 'sha256:m-c', [l('sha256:lc', 2 * MiB)], { status: 'completed' })]);
  await post('node-failed', [pullEntry('127.0.0.1/edge/failed:1', 'sha256:m-f', [l('sha256:lf', MiB)])]);
  await post('node-failed', [
    pullEntry('127.0.0.1/edge/failed:1', 'sha256:m-f', [l('sha256:lf', MiB)], { status: 'failed', error: 'boom' }),
  ]);
  for (const p of await pullsOf('')) ids[p.nodeName.replace('node-', '') as keyof typeof ids] = p.id;
  assert.deepEqual((await pullsOf('')).map((p) => p.status).sort(), ['completed', 'failed', 'pulling']);
});
after(async () => server?.stop());

const nodesOf = (pulls: PullStatus[]) => pulls.map((p) => p.nodeName.replace('node-', '')).sort();

test('status takes exact states, several comma-separated, and active', async () => {
  assert.deepEqual(nodesOf(await pullsOf('status=pulling')), ['pulling']);
  assert.deepEqual(nodesOf(await pullsOf('status=completed,failed')), ['completed', 'failed']);
  assert.deepEqual(nodesOf(await pullsOf('status=pulling,stalled')), ['pulling']);
  assert.deepEqual(nodesOf(await pullsOf('status=active')), ['pulling']);
  assert.deepEqual(nodesOf(await pullsOf('status=active,failed')), ['failed', 'pulling']);
  const history = await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/history?status=failed`);
  assert.deepEqual(nodesOf(history.body.pulls), ['failed']);
});

test('an unknown status word is a 400 naming it, on every endpoint that filters', async () => {
  for (const path of ['/api/v1/pulls', '/api/v1/history', '/api/v1/events']) {
    for (const word of ['ed', 'done', 'Pulling']) {
      const res = await fetch(`${server.baseUrl}${path}?status=${word}`);
      assert.equal(res.status, 400, `${path}?status=${word}`);
      const body = (await res.json()) as { error: string; message: string };
      assert.equal(body.error, 'invalid_request');
      assert.match(
        body.message,
        new RegExp(`^query parameter "status" has "${word}" \\(allowed, comma-separated: pulling, stalled, .*active\\)$`),
      );
    }
  }
});

test('layers=0 leaves layer arrays out on /pulls, /pulls/{id} and /history alike', async () => {
  for (const word of ['0', 'false']) {
    assert.ok((await pullsOf(`layers=${word}`)).every((p) => p.layers === undefined));
    const one = await getJson<PullStatus>(`${server.baseUrl}/api/v1/pulls/${ids.pulling}?layers=${word}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.layers, undefined);
    const history = await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/history?layers=${word}`);
    assert.equal(history.status, 200);
    assert.equal(history.body.pulls.length, 2);
    assert.ok(history.body.pulls.every((p) => p.layers === undefined));
  }
  for (const word of ['1', 'true']) {
    assert.ok((await pullsOf(`layers=${word}`)).every((p) => p.layers?.length === 1));
    const one = await getJson<PullStatus>(`${server.baseUrl}/api/v1/pulls/${ids.pulling}?layers=${word}`);
    assert.equal(one.body.layers?.length, 1);
    const history = await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/history?layers=${word}`);
    assert.ok(history.body.pulls.every((p) => p.layers?.length === 1));
  }
});

test('layers takes only 0, 1, false, true, with one message everywhere', async () => {
  for (const path of ['/api/v1/pulls', `/api/v1/pulls/${ids.pulling}`, '/api/v1/history', '/api/v1/events']) {
    for (const word of ['no', 'yes', 'TRUE', '2']) {
      const res = await fetch(`${server.baseUrl}${path}?layers=${word}`);
      assert.equal(res.status, 400, `${path}?layers=${word}`);
      assert.deepEqual(await res.json(), {
        error: 'invalid_request',
        message: 'query parameter "layers" must be 0, 1, false or true',
      });
    }
  }
});
