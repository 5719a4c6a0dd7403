/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Filters and sort are reflected in the URL, and opening that URL reproduces the view.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { MB, postReportOk, report, startUi, syntheticPull, waitInPage, waitLive } from '../kit/index.js';

const LAYERS = [{ size: 50 * MB }, { size: 50 * MB }];

function visibleImages(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid=pull-row]', (rows) =>
    rows
      .map((r) => ({
        top: r.getBoundingClientRect().top,
        text: `${r.querySelector('[data-testid=image]')?.textContent}@${r.querySelector('[data-testid=node]')?.textContent}`,
      }))
      .sort((a, b) => a.top - b.top)
      .map((r) => r.text),
  );
}

function waitRows(page: Page, count: number): Promise<void> {
  return waitInPage(page, `${count} pull rows`, (n) => document.querySelectorAll('[data-testid=pull-row]').length === n, count);
}

test('filters and sort live in the URL and a copied link shows the same view', async (t) => {
  const { server, browser, page } = await startUi(t, 'filters-and-url');
  const startedAt = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
  await postReportOk(
    server.url,
    report('worker-1', [
      syntheticPull({ imageRef: 'docker.io/library/nginx:1.27', startedAt: startedAt(30), layers: LAYERS, downloaded: 30 * MB }),
      syntheticPull({ imageRef: 'docker.io/library/redis:7', startedAt: startedAt(20), layers: LAYERS, downloaded: 60 * MB }),
    ]),
  );
  await postReportOk(
    server.url,
    report('worker-2', [
      syntheticPull({ imageRef: 'docker.io/library/nginx:1.27', startedAt: startedAt(10), layers: LAYERS, downloaded: 10 * MB }),
      syntheticPull({
        imageRef: 'docker.io/library/postgres:16',
        startedAt: startedAt(5),
        layers: LAYERS,
        downloaded: 0,
        status: 'failed',
        error: 'not found',
      }),
    ]),
  );

  await page.goto(server.url);
  await waitLive(page);
  await waitRows(page, 4);
  assert.deepEqual(
    await visibleImages(page),
    ['postgres:16@worker-2', 'nginx:1.27@worker-2', 'redis:7@worker-1', 'nginx:1.27@worker-1'],
    'newest first',
  );

  await page.fill('input[name=node]', 'worker-2');
  await waitRows(page, 2);
  await page.selectOption('select[name=status]', 'failed');
  await waitRows(page, 1);
  assert.deepEqual(await visibleImages(page), ['postgres:16@worker-2']);
  const link = page.url();
  assert.match(link, /[?&]node=worker-2(&|$)/);
  assert.match(link, /[?&]status=failed(&|$)/);

  // The copied link, opened fresh, reproduces the view and its filter fields.
  const second = await browser.context.newPage();
  await second.goto(link);
  await waitRows(second, 1);
  assert.deepEqual(await visibleImages(second), ['postgres:16@worker-2']);
  assert.equal(await second.inputValue('input[name=node]'), 'worker-2');
  assert.equal(await second.inputValue('select[name=status]'), 'failed');
  await second.close();

  // Sort by least progress, from the URL.
  await page.goto(`${server.url}/?sort=progress&image=nginx`);
  await waitRows(page, 2);
  assert.deepEqual(await visibleImages(page), ['nginx:1.27@worker-2', 'nginx:1.27@worker-1']);
  await page.selectOption('select[name=sort]', 'start');
  assert.match(page.url(), /[?&]image=nginx(&|$)/);
  assert.doesNotMatch(page.url(), /sort=/, 'the default sort is left out of the URL');

  // The image view keeps the filter: one image across its two nodes; Back returns to the list.
  await page.click('a.tab:has-text("Images")');
  assert.match(page.url(), /[?&]view=images(&|$)/);
  await waitInPage(page, 'one image group', () => document.querySelectorAll('[data-testid=image-group]').length === 1, null);
  assert.equal(await page.textContent('[data-testid=image-nodes]'), '2 nodes');
  assert.equal(await page.textContent('[data-testid=image-bytes]'), '40.0 MB / 200 MB');
  await page.goBack();
  await waitRows(page, 2);
  browser.assertClean();
});
