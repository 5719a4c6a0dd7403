/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// End to end: the server marks a pull that stops moving stalled and a failed report failed, and the
// page shows both (badge, error, header counts); names or errors containing HTML stay text in a
// real browser: no dialog, no injected element. How each state and error is drawn (badge classes,
// the image view's node rows) is covered from fixtures in test/ui/components.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MB, postReportOk, report, reportEvery, startUi, syntheticPull, waitInPage, waitLive } from '../kit/index.js';

const HOSTILE_IMAGE = 'docker.io/library/evil:<img src=x onerror=alert(1)>';
const HOSTILE_ERROR = 'failed to copy: <script>alert("x")</script><img src=x onerror=alert(2)> 503 <b>Service Unavailable</b>';
const LAYERS = [{ size: 10 * MB }, { size: 10 * MB }];

test('stalled and failed pulls show their state and error text; HTML in names and errors stays text', async (t) => {
  const { server, browser, page } = await startUi(t, 'status-rendering', { server: { extraArgs: ['--stall-timeout', '1s'] } });
  await page.goto(server.url);
  await waitLive(page);

  const startedAt = new Date().toISOString();
  // worker-2 keeps reporting the same bytes: after the stall timeout the server marks it stalled.
  const stuck = reportEvery(server.url, 'worker-2', () => [
    syntheticPull({ imageRef: 'registry.example.com/team/app:v2', startedAt, layers: LAYERS, downloaded: 3 * MB }),
  ]);
  t.after(() => stuck.stop());
  await postReportOk(
    server.url,
    report('worker-3', [
      syntheticPull({ imageRef: HOSTILE_IMAGE, startedAt, layers: LAYERS, downloaded: 0, status: 'failed', error: HOSTILE_ERROR }),
    ]),
  );

  await waitInPage(page, 'a stalled row', () => document.querySelector('[data-testid=pull-row][data-status=stalled]') !== null, null);
  await waitInPage(page, 'a failed row', () => document.querySelector('[data-testid=pull-row][data-status=failed]') !== null, null);
  await stuck.stop();

  const stalled = page.locator('[data-testid=pull-row][data-status=stalled]');
  assert.equal(await stalled.locator('.badge').textContent(), 'stalled');
  assert.equal(await page.textContent('[data-testid=count-stalled]'), '1');

  const failed = page.locator('[data-testid=pull-row][data-status=failed]');
  assert.equal(await failed.locator('.badge').textContent(), 'failed');
  assert.equal(await failed.locator('[data-testid=error]').textContent(), HOSTILE_ERROR, 'the error is shown verbatim');
  assert.equal(await failed.locator('[data-testid=image]').getAttribute('title'), HOSTILE_IMAGE);
  assert.ok((await failed.locator('[data-testid=image]').textContent())?.includes('<img src=x'), 'the image name is shown as text');
  assert.equal(await page.textContent('[data-testid=count-failed]'), '1');

  // Nothing from the hostile strings became markup.
  const injected = () => page.evaluate(() => document.querySelectorAll('#root img, #root script, #root b').length);
  assert.equal(await injected(), 0);
  browser.assertClean();
});
