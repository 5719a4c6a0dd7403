/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// A pull fed by synthetic agent reports: it appears, its bar advances without a reload, the
// layer detail (opened from the keyboard) shows speed and media type, and it completes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MB, pace, postReportOk, report, rowProgress, startUi, syntheticPull, waitInPage, waitLive } from '../kit/index.js';

const IMAGE = 'docker.io/library/nginx:1.27';
const LAYERS = [
  { size: 5 * MB, cached: true },
  { size: 20 * MB, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' },
  { size: 30 * MB, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' },
];

test('a live pull advances, shows layer speed and media type, then completes', async (t) => {
  const { server, browser, page } = await startUi(t, 'live-pull');
  await page.goto(server.url);
  await waitLive(page);
  // Marks this document: if the page reloaded, the marker would be gone.
  await page.evaluate(() => {
    (window as unknown as { pulltraceTestMarker: number }).pulltraceTestMarker = 1;
  });

  const startedAt = new Date().toISOString();
  const send = (downloaded: number, status: 'pulling' | 'completed' = 'pulling') =>
    postReportOk(server.url, report('worker-1', [syntheticPull({ imageRef: IMAGE, startedAt, layers: LAYERS, downloaded, status })]));

  await send(0);
  await waitInPage(page, 'the pull row to appear', (img) => document.querySelector(`[data-testid=image][title="${img}"]`) !== null, IMAGE);
  assert.equal(await rowProgress(page, IMAGE), 0);

  // Open the layer detail from the keyboard.
  await page.focus('[data-testid=pull-row] button.expand');
  await page.keyboard.press('Enter');
  await waitInPage(page, 'the layer table', () => document.querySelectorAll('[data-testid=layer-row]').length === 3, null);
  assert.equal(await page.getAttribute('[data-testid=pull-row] button.expand', 'aria-expanded'), 'true');

  let last = 0;
  let sawLayerSpeed = false;
  for (let downloaded = 4 * MB; downloaded <= 44 * MB; downloaded += 4 * MB) {
    await send(downloaded);
    await waitInPage(
      page,
      `the bar to pass ${last}% after ${downloaded} bytes`,
      ([img, before]) => {
        const row = document.querySelector(`[data-testid=image][title="${img}"]`)?.closest('[data-testid=pull-row]');
        return Number(row?.querySelector('.pull-line [role=progressbar]')?.getAttribute('aria-valuenow')) > Number(before);
      },
      [IMAGE, last] as const,
    );
    const now = await rowProgress(page, IMAGE);
    assert.ok(now > last, `progress went from ${last} to ${now}`);
    last = now;
    const speeds = await page.$$eval('[data-testid=layer-row] [data-testid=layer-speed]', (cells) => cells.map((c) => c.textContent ?? ''));
    if (speeds.some((s) => /\d.*B\/s$/.test(s))) sawLayerSpeed = true;
    await pace(400);
  }
  assert.ok(sawLayerSpeed, 'a downloading layer showed its speed');

  const mediaTypes = await page.$$eval('[data-testid=layer-media-type]', (cells) =>
    cells.map((c) => [c.textContent, c.getAttribute('title')]),
  );
  assert.deepEqual(mediaTypes, [
    ['tar+gzip', 'application/vnd.oci.image.layer.v1.tar+gzip'],
    ['tar+gzip', 'application/vnd.docker.image.rootfs.diff.tar.gzip'],
    ['tar+zstd', 'application/vnd.oci.image.layer.v1.tar+zstd'],
  ]);
  const states = await page.$$eval('[data-testid=layer-row] .layer-state', (cells) => cells.map((c) => c.textContent));
  assert.deepEqual(states, ['cached', 'done', 'downloading']);
  await browser.screenshot('live-pull-layers');

  await send(50 * MB, 'completed');
  await waitInPage(
    page,
    'the pull to show completed',
    () => document.querySelector('[data-testid=pull-row]')?.getAttribute('data-status') === 'completed',
    null,
  );
  assert.equal(await rowProgress(page, IMAGE), 100);
  await waitInPage(
    page,
    'every layer to show done or cached',
    () =>
      [...document.querySelectorAll('[data-testid=layer-row] .layer-state')].every(
        (c) => c.textContent === 'done' || c.textContent === 'cached',
      ),
    null,
  );
  assert.equal(await page.textContent('[data-testid=count-active]'), '0');
  assert.equal(
    await page.evaluate(() => (window as unknown as { pulltraceTestMarker?: number }).pulltraceTestMarker),
    1,
    'the page never reloaded',
  );
  browser.assertClean();
});
