// Two server processes on one PostgreSQL history (PULLTRACE_DB=postgres://…), fed the same agent
// reports as replicas are: both name each pull alike, each finished pull is one history row, and
// both page the history identically. Real servers, real PostgreSQL 15 started here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PullStatus } from '../../src/model/index.js';
import {
  getJson,
  layer,
  MiB,
  type PostgresHandle,
  postReport,
  pullEntry,
  startPostgres,
  startPulltrace,
  TEST_SERVER_FLAGS,
  waitFor,
} from '../kit/index.js';

let postgres: PostgresHandle;
before(async () => {
  postgres = await startPostgres();
});
after(async () => {
  await postgres?.close();
});

type Page = { pulls: PullStatus[]; next: string | null };

test('two servers on one PostgreSQL: the same pull ids, each finished pull written once, identical pages', async (t) => {
  const args = ['server', ...TEST_SERVER_FLAGS, '--db', postgres.url, '--history-ttl', '1h'];
  const a = await startPulltrace(args);
  t.after(() => a.stop());
  const b = await startPulltrace(args);
  t.after(() => b.stop());

  const startedAt = Date.parse('2026-11-28T12:00:00.000Z');
  for (let i = 0; i < 6; i++) {
    const entry = (layers: ReturnType<typeof layer>[], extra = {}) =>
      pullEntry(`127.0.0.1/app-${i}:1`, `sha256:m-${i}`, layers, { startedAt: new Date(startedAt + i).toISOString(), ...extra });
    const reports = [
      { nodeName: `node-${i % 2}`, pulls: [entry([layer(`sha256:l-${i}`, MiB, 0)])] },
      { nodeName: `node-${i % 2}`, pulls: [entry([layer(`sha256:l-${i}`, MiB, MiB, 'done')], { status: 'completed' })] },
    ];
    // Each replica applies every report (what the shared report log gives them).
    for (const report of reports) {
      for (const server of [a, b]) assert.equal((await postReport(server.baseUrl, report)).status, 200);
    }
  }
  const liveIds = async (baseUrl: string) =>
    (await getJson<{ pulls: PullStatus[] }>(`${baseUrl}/api/v1/pulls`)).body.pulls.map((p) => p.id).sort();
  const idsA = await liveIds(a.baseUrl);
  assert.equal(idsA.length, 6);
  assert.deepEqual(await liveIds(b.baseUrl), idsA, 'both replicas name the pulls alike');

  const history = async (baseUrl: string): Promise<string[][]> => {
    const pages: string[][] = [];
    let cursor = '';
    for (;;) {
      const { status, body } = await getJson<Page>(`${baseUrl}/api/v1/history?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(status, 200);
      pages.push(body.pulls.map((p) => p.id));
      if (!body.next) return pages;
      cursor = body.next;
    }
  };
  const pagesA = await waitFor(
    async () => {
      const pages = await history(a.baseUrl);
      return pages.flat().length === 6 ? pages : undefined;
    },
    { timeoutMs: 15_000, what: 'six history rows (one per pull, though two servers wrote each)' },
  );
  assert.deepEqual(pagesA.flat().sort(), idsA);
  assert.deepEqual(
    pagesA.map((p) => p.length),
    [4, 2],
  );
  assert.deepEqual(await history(b.baseUrl), pagesA, 'both servers page the shared history identically');
});

test('a server whose PostgreSQL cannot be reached stops at start with the reason, password not shown', async () => {
  const url = postgres.url.replace('pulltrace@', 'pulltrace:s3cret@').replace(`:${postgres.port}/`, ':1/');
  const server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', url], { timeoutMs: 30_000 }).catch((err: Error) => err);
  assert.ok(server instanceof Error, 'the server did not start');
  assert.match(server.message, /cannot open history database postgres:\/\/\*\*\*@127\.0\.0\.1:1\/postgres/);
  assert.ok(!server.message.includes('s3cret'));
});
