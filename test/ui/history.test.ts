/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// History: finished pulls from /api/v1/history, 50 a page, with durations and working pagination.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { MB, postReportOk, report, startUi, syntheticPull, waitFor, waitInPage } from '../kit/index.js';

const NODES = 6;
const PULLS_PER_NODE = 10;

function historyRows(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid=history-row]', (rows) => rows.map((r) => (r.textContent ?? '').trim()));
}

function waitRowCount(page: Page, count: number): Promise<void> {
  return waitInPage(page, `${count} history rows`, (n) => document.querySelectorAll('[data-testid=history-row]').length === n, count);
}

async function waitHistoryStored(url: string, count: number): Promise<void> {
  await waitFor(
    async () => ((await (await fetch(`${url}/api/v1/history?limit=500`)).json()) as { pulls: unknown[] }).pulls.length >= count,
    {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: `history to hold ${count} pulls`,
    },
  );
}

test('history pages through finished pulls with their durations', async (t) => {
  const { server, browser, page } = await startUi(t, 'history');
  // Every pull started 125 s ago and finishes now: the duration column must say about 2m 05s.
  const startedAt = new Date(Date.now() - 125_000).toISOString();
  for (let n = 0; n < NODES; n++) {
    const pulls = Array.from({ length: PULLS_PER_NODE }, (_, i) =>
      syntheticPull({ imageRef: `registry.example.com/app-${i}:v${n}`, startedAt, layers: [{ size: MB }], downloaded: 0 }),
    );
    await postReportOk(server.url, report(`worker-${n}`, pulls));
    const done = pulls.map((p, i) =>
      i === 0
        ? { ...p, status: 'failed' as const, error: 'manifest unknown', layers: p.layers.map((l) => ({ ...l, state: 'waiting' as const })) }
        : {
            ...p,
            status: 'completed' as const,
            layers: p.layers.map((l) => ({ ...l, downloadedBytes: l.totalBytes, state: 'done' as const })),
          },
    );
    await postReportOk(server.url, report(`worker-${n}`, done));
  }
  await waitHistoryStored(server.url, NODES * PULLS_PER_NODE);

  await page.goto(`${server.url}/?view=history`);
  await waitRowCount(page, 50);
  const firstPage = await historyRows(page);
  assert.equal(await page.textContent('[data-testid=history-page]'), 'page 1');
  const durations = await page.$$eval('[data-testid=duration]', (cells) => cells.map((c) => c.textContent));
  assert.ok(
    durations.every((d) => /^2m 0[5-9]s$/.test(d ?? '')),
    `durations near 2m 05s: ${durations.slice(0, 5).join(', ')}…`,
  );
  assert.equal(await page.isDisabled('button:has-text("Newer")'), true);

  await page.click('button:has-text("Older")');
  await waitRowCount(page, 10);
  assert.equal(await page.textContent('[data-testid=history-page]'), 'page 2');
  assert.equal(await page.isDisabled('button:has-text("Older")'), true, 'the last page has no older one');
  const secondPage = await historyRows(page);
  assert.equal(new Set([...firstPage, ...secondPage]).size, 60, 'the two pages hold 60 different pulls');

  await page.click('button:has-text("Newer")');
  await waitRowCount(page, 50);
  assert.deepEqual(await historyRows(page), firstPage);

  // Filters apply to history too, and failed pulls show why.
  await page.fill('input[name=node]', 'worker-3');
  await waitRowCount(page, 10);
  await page.selectOption('select[name=status]', 'failed');
  await waitRowCount(page, 1);
  assert.ok((await page.textContent('[data-testid=history-row]'))?.includes('manifest unknown'));
  assert.match(page.url(), /view=history/);
  browser.assertClean();
});

test('the History tab takes only what the history API takes: no `slow`, and the Failure filter asks for `reason`', async (t) => {
  const { server, browser, page } = await startUi(t, 'history-reason');
  const startedAt = new Date(Date.now() - 10_000).toISOString();
  const failures = [
    { imageRef: 'registry.example.com/private:1', error: 'unauthorized: authentication required', failureReason: 'auth' as const },
    { imageRef: 'registry.example.com/busy:1', error: 'toomanyrequests: rate limit', failureReason: 'rate_limited' as const },
  ];
  const pulls = [...failures, { imageRef: 'registry.example.com/fine:1' }].map(({ imageRef }) =>
    syntheticPull({ imageRef, startedAt, layers: [{ size: MB }], downloaded: 0 }),
  );
  await postReportOk(server.url, report('worker-0', pulls));
  await postReportOk(
    server.url,
    report('worker-0', [
      ...failures.map((f, i) => ({ ...pulls[i]!, status: 'failed' as const, error: f.error, failureReason: f.failureReason })),
      {
        ...pulls[2]!,
        status: 'completed' as const,
        layers: pulls[2]!.layers.map((l) => ({ ...l, downloadedBytes: l.totalBytes, state: 'done' as const })),
      },
    ]),
  );
  await waitHistoryStored(server.url, 3);

  const asked: URLSearchParams[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.endsWith('/api/v1/history')) asked.push(url.searchParams);
  });
  // `slow` chosen on the Pulls tab (kept in the URL) is a live-only status: History shows every
  // finished pull instead of the history API's refusal.
  await page.goto(`${server.url}/?view=history&status=slow`);
  await waitRowCount(page, 3);
  assert.equal(await page.$('.load-error'), null, 'no error on the page');
  const statusOptions = await page.$$eval('select[name=status] option', (options) => options.map((o) => (o as HTMLOptionElement).value));
  assert.deepEqual(statusOptions, ['', 'completed', 'failed'], 'History offers no `slow` and no live state');
  assert.equal(await page.inputValue('select[name=status]'), '');
  assert.ok(
    asked.every((q) => !q.has('status')),
    `no status sent: ${asked.map(String).join(' | ')}`,
  );

  await page.selectOption('select[name=reason]', 'auth');
  await waitRowCount(page, 1);
  assert.ok((await page.textContent('[data-testid=history-row]'))?.includes('authentication required'));
  assert.equal(asked.at(-1)?.get('reason'), 'auth', 'the Failure filter is sent to the history API as `reason`');
  assert.match(page.url(), /reason=auth/);
  browser.assertClean();
});
