// The SQLite history behind the asynchronous interface: page queries of a file database run on
// worker threads (historyReadThreads.ts), so the event loop keeps turning while one runs.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { openHistory } from './history.js';
import { capturingLogger, finishedPull, pod, T0 } from './historyFixture.js';
import { HistoryReadError } from './historyReadThreads.js';

async function fileHistory(t: TestContext, rows: number) {
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-sqlite-history-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const history = await openHistory(join(dir, 'history.db'), capturingLogger().logger);
  t.after(() => history.close());
  for (let i = 0; i < rows; i++) history.enqueue(finishedPull(`p${i}`, T0 + i * 1000, { pods: [pod('shop', `web-${i}`)] }));
  await history.flush();
  return history;
}

test('a history query of a file database runs off the event loop: a callback queued before it runs before it answers', async (t) => {
  const history = await fileHistory(t, 3000);
  const order: string[] = [];
  const immediate = new Promise<void>((resolve) =>
    setImmediate(() => {
      order.push('event loop turned');
      resolve();
    }),
  );
  // A pod filter that matches nothing checks every row: on the event loop this would answer first.
  const query = history.query({ pod: 'no-such-pod' }, 50).then((page) => {
    order.push('query answered');
    return page;
  });
  const [page] = await Promise.all([query, immediate]);
  assert.deepEqual(order, ['event loop turned', 'query answered']);
  assert.deepEqual(page, { pulls: [], next: null });
});

test('a query on a worker thread sees every pull enqueued before it, with the same pages and filters', async (t) => {
  const history = await fileHistory(t, 120);
  history.enqueue(finishedPull('late', T0 + 1_000_000, { pods: [pod('shop', 'web-late')] }));
  const first = await history.query({ namespace: 'shop' }, 50);
  assert.equal(first.pulls[0]?.id, 'late');
  assert.equal(first.pulls[0]?.layers?.length, 2);
  const seen = first.pulls.map((p) => p.id);
  let cursor = first.next;
  while (cursor) {
    const page = await history.query({ namespace: 'shop' }, 50, cursor);
    seen.push(...page.pulls.map((p) => p.id));
    cursor = page.next;
  }
  assert.equal(seen.length, 121);
  assert.equal(new Set(seen).size, 121);
  assert.deepEqual(
    (await history.query({ pod: 'web-7' }, 50, undefined, false)).pulls.map((p) => [p.id, p.layers]),
    [
      ['p79', undefined],
      ['p78', undefined],
      ['p77', undefined],
      ['p76', undefined],
      ['p75', undefined],
      ['p74', undefined],
      ['p73', undefined],
      ['p72', undefined],
      ['p71', undefined],
      ['p70', undefined],
      ['p7', undefined],
    ],
  );
});

test('closing the history fails a query still waiting instead of leaving it hanging', async (t) => {
  const history = await fileHistory(t, 2000);
  const failed = assert.rejects(history.query({ pod: 'no-such-pod' }, 50), HistoryReadError);
  await history.close();
  await failed;
  await assert.rejects(history.query({}, 10), /closed/);
});
