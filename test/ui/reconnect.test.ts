/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The server restarts under an open page: the page says it is reconnecting, then comes back live
// with the new server's state, and rows that were "pulling" before the drop are not left as live.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MB, pace, postReportOk, report, startServer, startUi, syntheticPull, valueInPage, waitInPage, waitLive } from '../kit/index.js';

const LAYERS = [{ size: 40 * MB }];
// While the server is down, Chromium logs each request that finds the port closed, and one that
// reached the server while it was closing gets its 503 (fastify's return503OnClosing): the event
// stream's own retries, and the page's agent count, fetched every few seconds. Timing decides
// whether either happens; those lines, and only they, are expected.
const BROWSER_RETRY_WHILE_DOWN =
  /^console error: Failed to load resource: (net::ERR_CONNECTION_REFUSED|the server responded with a status of 503 \(Service Unavailable\))$/;

test('after a server restart the page reconnects and replaces its state', async (t) => {
  const { server, browser, page } = await startUi(t, 'reconnect');
  const startedAt = new Date().toISOString();
  await postReportOk(
    server.url,
    report('worker-1', [syntheticPull({ imageRef: 'docker.io/library/before:1', startedAt, layers: LAYERS, downloaded: 8 * MB })]),
  );
  await page.goto(server.url);
  await waitLive(page);
  await waitInPage(page, 'the first pull', () => document.querySelector('[data-testid=pull-row][data-status=pulling]') !== null, null);

  await server.stop();
  await waitInPage(
    page,
    'the "reconnecting" state',
    () => document.querySelector('[data-testid=connection]')?.textContent === 'reconnecting…',
    null,
  );
  assert.equal(await page.getAttribute('section.list', 'aria-busy'), 'true', 'the list is marked as not live');
  assert.ok(await page.isVisible('.banner'), 'a banner says the figures are not live');
  await browser.screenshot('reconnect-down');

  // Hold the list refetch back a while, so a page that said "live" before its list was fresh
  // would be caught showing the old rows (on loopback the refetch is otherwise too quick to see).
  await page.route('**/api/v1/pulls?layers=0', async (route) => {
    await pace(1000);
    await route.continue();
  });

  // Same port, fresh state: the pull from before the restart is unknown to the new server.
  const restarted = await startServer({ httpPort: server.httpPort, extraArgs: ['--node-report-rate', '1000'] });
  t.after(() => restarted.stop());
  await postReportOk(
    restarted.url,
    report('worker-1', [syntheticPull({ imageRef: 'docker.io/library/after:2', startedAt, layers: LAYERS, downloaded: 4 * MB })]),
  );

  // In the very frame the page says "live" again, the row from before the restart must be gone.
  const firstLiveFrame = await valueInPage(
    page,
    'the connection to show "live" again',
    () =>
      document.querySelector('[data-testid=connection]')?.textContent === 'live' && {
        images: [...document.querySelectorAll('[data-testid=pull-row] [data-testid=image]')].map((e) => e.textContent),
      },
    null,
    30_000,
  );
  assert.ok(!firstLiveFrame.images.includes('before:1'), `rows when "live" showed: ${firstLiveFrame.images.join(', ')}`);
  await waitInPage(
    page,
    'only the new server pull to be listed',
    () => {
      const images = [...document.querySelectorAll('[data-testid=pull-row] [data-testid=image]')].map((e) => e.textContent);
      return images.length === 1 && images[0] === 'after:2';
    },
    null,
    30_000,
  );
  assert.equal(await page.isVisible('.banner'), false);
  assert.equal(await page.textContent('[data-testid=count-active]'), '1');

  // And it is live again: progress from the new server reaches the page.
  await postReportOk(
    restarted.url,
    report('worker-1', [syntheticPull({ imageRef: 'docker.io/library/after:2', startedAt, layers: LAYERS, downloaded: 20 * MB })]),
  );
  await waitInPage(
    page,
    'the bar to reach 50%',
    () => document.querySelector('.pull-line [role=progressbar]')?.getAttribute('aria-valuenow') === '50',
    null,
  );
  browser.assertClean(BROWSER_RETRY_WHILE_DOWN);
});
