/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The UI fed by a real agent: `pulltrace standalone` reads a private containerd that pulls from a
// local registry through a throttled link. A pull appears, its bar advances live without a
// reload, the layer detail shows speed and media type, and it completes.
// With PULLTRACE_UPDATE_UI_SCREENSHOT=1 the mid-pull screenshot also goes to docs/images/ui.png.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  ARTIFACTS,
  buildAndPushImage,
  imageRef,
  openBrowser,
  ProcessGroup,
  startContainerd,
  startRegistry,
  startServer,
  startThrottleProxy,
  waitInPage,
  waitLive,
} from '../kit/index.js';

const MiB = 1 << 20;
const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/images/ui.png', import.meta.url));

test('a real pull from containerd shows live in the UI, with layer speed and media type, and completes', async (t) => {
  const group = new ProcessGroup();
  t.after(() => group.close());
  const registry = group.track(await startRegistry(), 'registry');
  const containerd = group.track(await startContainerd(), 'containerd');
  const proxy = group.track(await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: 3 * MiB }), 'proxy');
  const [app, db, tool] = await Promise.all([
    buildAndPushImage(registry.host, {
      repository: 'shop/checkout-api',
      tag: '2.14.0',
      layers: [{ size: 3 * MiB, seed: 'base' }, { size: 6 * MiB }, { size: 9 * MiB }],
    }),
    buildAndPushImage(registry.host, { repository: 'shop/orders-db', tag: '16.4', layers: [{ size: 5 * MiB }, { size: 4 * MiB }] }),
    buildAndPushImage(registry.host, {
      repository: 'shop/base-tools',
      tag: '1.0',
      layers: [{ size: 3 * MiB, seed: 'base' }, { size: MiB }],
    }),
  ]);

  const server = await startServer({
    command: 'standalone',
    extraArgs: ['--containerd-socket', containerd.socket, '--node-name', 'edge-node-1'],
  });
  t.after(() => server.stop());
  // Pulls begun before the agent's first poll would be missed.
  await server.waitForLog('agent reporting', 'agent');

  const browser = await openBrowser({ height: 460 });
  t.after(async () => {
    for (const problem of browser.problems) t.diagnostic(problem);
    await browser.screenshot('real-agent-final').catch(() => {});
    await browser.close();
  });
  const { page } = browser;
  await page.goto(server.url);
  await waitLive(page);
  await page.evaluate(() => {
    (window as unknown as { pulltraceTestMarker: number }).pulltraceTestMarker = 1;
  });

  // A small image first (also throttled: a pull shorter than the agent's 1 s poll can go unseen);
  // it completes and leaves the shared base layer cached for the next one.
  const first = await containerd.startPull(imageRef(proxy.host, tool)).done;
  assert.equal(first.code, 0, `ctr pull failed: ${first.stderr}`);
  await waitInPage(
    page,
    'the first pull to complete',
    () => document.querySelector('[data-testid=pull-row][data-status=completed]') !== null,
    null,
    30_000,
  );

  // Then two images at once through the throttled link.
  const appPull = containerd.startPull(imageRef(proxy.host, app));
  const dbPull = containerd.startPull(imageRef(proxy.host, db));
  const appRow = (image: string) => `[data-testid=pull-row]:has([data-testid=image][title*="${image}"])`;
  await waitInPage(
    page,
    'the checkout-api pull to appear',
    (sel) => document.querySelector(sel)?.getAttribute('data-status') === 'pulling',
    appRow('shop/checkout-api'),
    30_000,
  );
  await page.click(`${appRow('shop/checkout-api')} button.expand`);
  await waitInPage(
    page,
    'its layer detail',
    (sel) => (document.querySelector(sel)?.querySelectorAll('[data-testid=layer-row]').length ?? 0) >= 3,
    appRow('shop/checkout-api'),
  );

  // The bar advances live: several distinct, increasing values without a reload.
  const seen: number[] = [];
  let sawSpeed = false;
  let shot = false;
  for (;;) {
    const state = await page.$eval(appRow('shop/checkout-api'), (row) => ({
      status: row.getAttribute('data-status'),
      value: Number(row.querySelector('.pull-line [role=progressbar]')?.getAttribute('aria-valuenow')),
      speeds: [...row.querySelectorAll('[data-testid=layer-speed]')].map((c) => c.textContent ?? ''),
    }));
    if (state.status !== 'pulling' && state.status !== 'stalled') break;
    if (seen.length === 0 || state.value !== seen[seen.length - 1]) seen.push(state.value);
    if (state.speeds.some((s) => /\d.*B\/s$/.test(s))) sawSpeed = true;
    if (!shot && state.value >= 25 && sawSpeed) {
      await browser.screenshot('ui-real-pulls');
      if (process.env.PULLTRACE_UPDATE_UI_SCREENSHOT === '1') copyFileSync(join(ARTIFACTS, 'ui-real-pulls.png'), DOCS_SCREENSHOT);
      shot = true;
    }
    // Wait for the next change of this row (or its end), not a fixed time.
    await waitInPage(
      page,
      'the checkout-api row to change',
      ([sel, before]) => {
        const row = document.querySelector(sel);
        return (
          row?.getAttribute('data-status') !== 'pulling' ||
          Number(row.querySelector('.pull-line [role=progressbar]')?.getAttribute('aria-valuenow')) !== before
        );
      },
      [appRow('shop/checkout-api'), state.value] as const,
      30_000,
    );
  }
  assert.ok(seen.length >= 3, `the bar took ${seen.length} values before completing (${seen.join(', ')}); expected a live climb`);
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => a - b),
    'progress never went backwards',
  );
  assert.ok(sawSpeed, 'a downloading layer showed its speed');

  const row = page.locator(appRow('shop/checkout-api'));
  await waitInPage(
    page,
    'checkout-api to show completed',
    (sel) => document.querySelector(sel)?.getAttribute('data-status') === 'completed',
    appRow('shop/checkout-api'),
  );
  assert.equal(Number(await row.locator('.pull-line [role=progressbar]').getAttribute('aria-valuenow')), 100);
  const mediaTypes = await row
    .locator('[data-testid=layer-media-type]')
    .evaluateAll((cells) => cells.map((c) => [c.textContent, c.getAttribute('title')]));
  assert.ok(
    mediaTypes.some(([short, full]) => short === 'tar+gzip' && full === 'application/vnd.oci.image.layer.v1.tar+gzip'),
    `media types shown: ${JSON.stringify(mediaTypes)}`,
  );
  for (const pull of [appPull, dbPull]) {
    const result = await pull.done;
    assert.equal(result.code, 0, `ctr pull failed: ${result.stderr}`);
  }
  await waitInPage(
    page,
    'no active pulls left',
    () => document.querySelector('[data-testid=count-active]')?.textContent === '0',
    null,
    30_000,
  );
  assert.equal(
    await page.evaluate(() => (window as unknown as { pulltraceTestMarker?: number }).pulltraceTestMarker),
    1,
    'the page never reloaded',
  );
  // The picture is a by-product, not what this test proves; a very loaded machine may skip past it.
  if (!shot) t.diagnostic('no mid-pull screenshot: the pull went from below 25% to done between two looks');
  browser.assertClean();
});
