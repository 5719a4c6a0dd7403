/// <reference lib="dom" />
// Layout: the OS colour scheme is followed, nothing overflows sideways at 1280 px or on a
// 1024 px laptop, and columns stay put while the figures in them change (tabular figures).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { MB, postReportOk, report, startUi, syntheticPull, waitInPage, waitLive } from '../kit/index.js';

const IMAGE = 'registry.example.com/platform/payments/api-gateway:2026.11.27';
const LAYERS = [{ size: 300 * MB }, { size: 700 * MB }];

/** Relative luminance (0 black … 1 white) of the page background. */
function backgroundLuminance(page: Page): Promise<number> {
  return page.evaluate(() => {
    const [r, g, b] = (getComputedStyle(document.documentElement).backgroundColor.match(/\d+/g) ?? []).map(Number);
    return (0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0)) / 255;
  });
}

/** Left edges of the row's cells, rounded to the pixel. */
function cellEdges(page: Page): Promise<number[]> {
  return page.$eval('[data-testid=pull-row] .pull-line', (line) =>
    [...line.children].map((c) => Math.round(c.getBoundingClientRect().left)),
  );
}

for (const scheme of ['light', 'dark'] as const) {
  for (const width of [1280, 1024]) {
    test(`${scheme} scheme at ${width} px: follows the OS, no sideways overflow, columns stay put as figures change`, async (t) => {
      const { server, browser, page } = await startUi(t, `layout-${scheme}-${width}`, {
        browser: { colorScheme: scheme, width, height: 700 },
      });
      const startedAt = new Date(Date.now() - 3_700_000).toISOString();
      const send = (downloaded: number) =>
        postReportOk(
          server.url,
          report('worker-with-a-long-node-name-01', [syntheticPull({ imageRef: IMAGE, startedAt, layers: LAYERS, downloaded })]),
        );
      await send(1 * MB);
      await page.goto(server.url);
      await waitLive(page);
      await waitInPage(page, 'the row', () => document.querySelector('[data-testid=pull-row]') !== null, null);

      const luminance = await backgroundLuminance(page);
      if (scheme === 'dark') assert.ok(luminance < 0.2, `dark background expected, luminance ${luminance}`);
      else assert.ok(luminance > 0.8, `light background expected, luminance ${luminance}`);

      const before = await cellEdges(page);
      await send(987 * MB);
      await waitInPage(page, 'the figures to change', () => document.querySelector('[data-testid=percent]')?.textContent === '98.7%', null);
      assert.deepEqual(await cellEdges(page), before, 'no cell moved when the figures changed');

      const numeric = await page.$$eval(
        '[data-testid=percent], [data-testid=bytes], [data-testid=speed], [data-testid=eta], [data-testid=count-active]',
        (cells) => cells.map((c) => getComputedStyle(c).fontVariantNumeric),
      );
      assert.deepEqual(new Set(numeric), new Set(['tabular-nums']), 'figures use tabular (fixed-width) digits');

      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, 'no horizontal scrolling');
      browser.assertClean();
    });
  }
}
