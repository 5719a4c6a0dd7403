// History lives in a real SQLite file: finished pulls survive a server restart, both in
// /api/v1/history and (within HISTORY_TTL) in the live view.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PullStatus } from '../../src/model/index.js';
import { getJson, layer, MiB, postReport, pullEntry, startPulltrace, TEST_SERVER_FLAGS, waitFor } from '../kit/index.js';

test('finished pulls survive a restart on a file database; history paginates newest first', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-history-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'nested', 'history.db');
  const args = ['server', ...TEST_SERVER_FLAGS, '--db', db, '--history-ttl', '1h'];

  let server = await startPulltrace(args);
  t.after(() => server.stop());
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const digest = `sha256:m-${i}`;
    const l = layer(`sha256:l-${i}`, MiB, MiB, 'done');
    const status = i === 4 ? 'failed' : 'completed';
    await postReport(server.baseUrl, {
      nodeName: `node-${i % 2}`,
      pulls: [pullEntry(`127.0.0.1/app-${i}:1`, digest, [layer(`sha256:l-${i}`, MiB, 0)])],
    });
    await postReport(server.baseUrl, {
      nodeName: `node-${i % 2}`,
      pulls: [pullEntry(`127.0.0.1/app-${i}:1`, digest, [l], { status, error: status === 'failed' ? 'registry answered 500' : undefined })],
    });
  }
  const live = await waitFor(
    async () => {
      const { body } = await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/pulls`);
      return body.pulls.length === 5 && body.pulls.every((p) => p.completedAt) ? body.pulls : undefined;
    },
    { timeoutMs: 10_000, what: 'five finished pulls' },
  );
  ids.push(...live.map((p) => p.id));
  await waitFor(
    async () => (await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/history?limit=500`)).body.pulls.length === 5,
    {
      timeoutMs: 10_000,
      what: 'five history rows to be written',
    },
  );
  await server.stop();

  server = await startPulltrace(args);
  const after = (await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/pulls`)).body.pulls;
  assert.deepEqual(after.map((p) => p.id).sort(), [...ids].sort(), 'the live view is restored from history');
  const failed = after.find((p) => p.status === 'failed')!;
  assert.equal(failed.error, 'registry answered 500');
  assert.equal(failed.layers?.length, 1, 'layers are kept with the pull');

  // Cursor pagination walks every row once, newest first.
  const seen: PullStatus[] = [];
  let cursor: string | null = null;
  do {
    const url: string = `${server.baseUrl}/api/v1/history?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const { status, body } = await getJson<{ pulls: PullStatus[]; next: string | null }>(url);
    assert.equal(status, 200);
    assert.ok(body.pulls.length <= 2);
    seen.push(...body.pulls);
    cursor = body.next;
  } while (cursor);
  assert.equal(seen.length, 5);
  assert.equal(new Set(seen.map((p) => p.id)).size, 5);
  for (let i = 1; i < seen.length; i++) assert.ok((seen[i - 1]!.completedAt as string) >= (seen[i]!.completedAt as string), 'newest first');

  const { body: onlyFailed } = await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/history?status=failed`);
  assert.deepEqual(
    onlyFailed.pulls.map((p) => p.id),
    [failed.id],
  );
  const { body: node1 } = await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/history?node=node-1`);
  assert.equal(node1.pulls.length, 2);
  const future = new Date(Date.now() + 3_600_000).toISOString();
  const { body: none } = await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/history?since=${future}`);
  assert.equal(none.pulls.length, 0);

  // A finished pull repeated by an agent after the restart is not completed a second time.
  const repeat = await postReport(server.baseUrl, {
    nodeName: 'node-0',
    pulls: [pullEntry('127.0.0.1/app-0:1', 'sha256:m-0', [layer('sha256:l-0', MiB, MiB, 'done')], { status: 'completed' })],
  });
  assert.equal(repeat.status, 200);
  const { body: again } = await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/pulls?node=node-0`);
  assert.equal(again.pulls.length, 3, 'no duplicate completion after restart');
});
