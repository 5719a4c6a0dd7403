/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// End to end in Chromium: an image whose only pull failed is never drawn as a finished image (no
// green bar, no 100 %), an image with one failed node among finished ones is drawn failed, and the
// rollout panel names failure kinds with their labels, not their codes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MB, postReportOk, report, startUi, syntheticPull, waitInPage, waitLive } from '../kit/index.js';

const GONE = 'registry.example.com/team/gone:v1';
const HALF = 'registry.example.com/team/half:v1';

test('the Images tab never shows a failed image as complete', async (t) => {
  const { server, browser, page } = await startUi(t, 'image-truth');
  await page.goto(`${server.url}/?view=images`);
  await waitLive(page);
  const startedAt = new Date().toISOString();
  // The registry refused the manifest: no layer, no size, only a failure.
  await postReportOk(
    server.url,
    report('worker-1', [
      syntheticPull({ imageRef: GONE, startedAt, layers: [], downloaded: 0, status: 'failed', error: '429 Too Many Requests' }),
    ]),
  );
  // Every byte arrived on both nodes, but one of them failed afterwards.
  const layers = [{ size: 10 * MB }];
  await postReportOk(
    server.url,
    report('worker-1', [syntheticPull({ imageRef: HALF, startedAt, layers, downloaded: 10 * MB, status: 'completed' })]),
  );
  await postReportOk(
    server.url,
    report('worker-2', [
      syntheticPull({
        imageRef: HALF,
        startedAt,
        layers,
        downloaded: 10 * MB,
        status: 'failed',
        error: 'failed to extract layer: no space left on device',
      }),
    ]),
  );

  await waitInPage(page, 'two image cards', () => document.querySelectorAll('[data-testid=image-group]').length === 2, null);
  const card = (image: string) => page.locator('[data-testid=image-group]', { has: page.locator(`.image[title="${image}"]`) });
  await waitInPage(
    page,
    'the failed counts',
    () => [...document.querySelectorAll('.image-counts')].every((e) => e.textContent?.includes('1 failed')),
    null,
  );

  const gone = card(GONE);
  assert.equal(await gone.locator('.image-head .percent').textContent(), '–', 'no size known: the percent is unknown, not 100 %');
  assert.equal(await gone.locator('.image-head .bar-failed').count(), 1, 'the bar is drawn failed');
  assert.equal(await gone.locator('.image-head .bar-completed').count(), 0);
  const fill = await gone.locator('.image-head .bar-fill').evaluate((e) => getComputedStyle(e).transform);
  assert.ok(fill === 'matrix(0, 0, 0, 1, 0, 0)' || fill === 'none', `an unknown percent draws an empty bar, got ${fill}`);

  const half = card(HALF);
  assert.equal(await half.locator('.image-head .bar-failed').count(), 1, 'one failed node colours the whole image');
  assert.equal(await half.locator('.image-head .bar-completed').count(), 0);

  // The rollout panel shows failure kinds by their labels (the server classified these errors).
  const reasons = await page.locator('[data-testid=rollout-failed-node] .reason').allTextContents();
  assert.ok(reasons.length > 0, 'failed nodes carry a failure kind');
  for (const reason of reasons) assert.doesNotMatch(reason, /_/, `a raw failure code was shown: ${reason}`);
  assert.ok(reasons.includes('rate-limited'), `the 429 is labelled rate-limited: ${reasons.join(', ')}`);
  browser.assertClean();
});
