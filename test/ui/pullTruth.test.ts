/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// What each pull is, at a glance: a layer shared with another pull ("shared with <image>"), a pull
// unpacking (and which layer), a rate-limited failure (badge and failure filter), a slow pull
// (badge and the "slow" status filter).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportPull } from '../../src/model/index.js';
import { digest, MB, postReportOk, report, reportEvery, startUi, syntheticPull, waitInPage, waitLive } from '../kit/index.js';

const RATE_LIMITED =
  'Failed to pull image "busybox:1.36": failed to pull and unpack image "docker.io/library/busybox:1.36": failed to resolve reference: unexpected status from HEAD request: 429 Too Many Requests';

test('shared, unpacking, rate-limited and slow pulls each read for what they are; failure and slow filters', async (t) => {
  // slow-eta 1s: a pull with any ETA is slow as soon as it moves.
  const { server, browser, page } = await startUi(t, 'pull-truth', {
    server: { extraArgs: ['--slow-eta', '1s', '--stall-timeout', '1m'] },
  });
  await page.goto(server.url);
  await waitLive(page);
  const startedAt = new Date().toISOString();

  // worker-1: alpha downloads the base layer; beta waits for it (shared, owner named by manifest digest).
  const alpha = syntheticPull({
    imageRef: 'registry.example.com/team/alpha:v1',
    startedAt,
    layers: [{ size: 8 * MB }],
    downloaded: 2 * MB,
  });
  const betaBase = { ...alpha.layers[0]!, state: 'shared' as const, sharedWith: alpha.manifestDigest };
  const beta: ReportPull = {
    ...syntheticPull({
      imageRef: 'registry.example.com/team/beta:v1',
      startedAt,
      layers: [{ size: 8 * MB }, { size: 2 * MB }],
      downloaded: 0,
    }),
  };
  beta.layers = [betaBase, { ...beta.layers[1]!, digest: digest('beta-top', 0) }];
  await postReportOk(server.url, report('worker-1', [alpha, beta]));

  // worker-2: every blob here, containerd unpacking its second layer.
  const unpacking: ReportPull = {
    ...syntheticPull({
      imageRef: 'registry.example.com/team/big:v3',
      startedAt,
      layers: [{ size: 5 * MB }, { size: 5 * MB }],
      downloaded: 10 * MB,
    }),
    status: 'unpacking',
    unpackStartedAt: startedAt,
  };
  unpacking.unpackingLayer = unpacking.layers[1]!.digest;
  await postReportOk(server.url, report('worker-2', [unpacking]));

  // worker-3: a pull the registry refused with 429.
  await postReportOk(
    server.url,
    report('worker-3', [
      syntheticPull({
        imageRef: 'docker.io/library/busybox:1.36',
        startedAt,
        layers: [{ size: MB }],
        downloaded: 0,
        status: 'failed',
        error: RATE_LIMITED,
      }),
    ]),
  );

  // worker-4: a pull that keeps moving, slowly.
  let downloaded = 0;
  const trickle = reportEvery(server.url, 'worker-4', () => {
    downloaded += 50_000;
    return [syntheticPull({ imageRef: 'registry.example.com/team/slow:v1', startedAt, layers: [{ size: 100 * MB }], downloaded })];
  });
  t.after(() => trickle.stop());

  // Shared: beta's base layer names the pull that downloads it, by its image.
  await waitInPage(page, 'four nodes of pulls', () => document.querySelectorAll('[data-testid=pull-row]').length === 5, null);
  const betaRow = page.locator('[data-testid=pull-row]:has([data-testid=image]:text("beta"))');
  await betaRow.locator('button.expand').click();
  const sharedRow = betaRow.locator(`[data-testid=layer-row][data-digest="${betaBase.digest}"]`);
  assert.equal(await sharedRow.locator('.layer-state').textContent(), 'shared');
  assert.equal(await sharedRow.locator('[data-testid=shared-with]').textContent(), ' with registry.example.com/team/alpha:v1');
  assert.equal(await betaRow.locator('[data-testid=percent]').textContent(), '20.0%', 'the shared layer’s progress is beta’s progress');

  // Unpacking: its own badge and which layer.
  const unpackRow = page.locator('[data-testid=pull-row][data-status=unpacking]');
  assert.equal(await unpackRow.locator('.badge').first().textContent(), 'unpacking');
  assert.match((await unpackRow.locator('[data-testid=unpacking]').textContent()) ?? '', /containerd is unpacking layer [0-9a-f]{12}/);

  // Rate-limited: a failure-kind badge, and the failure filter keeps only it.
  const failedRow = page.locator('[data-testid=pull-row][data-status=failed]');
  assert.equal(await failedRow.locator('[data-testid=failure-reason]').textContent(), 'rate-limited');
  await page.selectOption('select[name=reason]', 'rate_limited');
  await waitInPage(page, 'only the rate-limited pull', () => document.querySelectorAll('[data-testid=pull-row]').length === 1, null);
  assert.match(page.url(), /reason=rate_limited/);
  await page.selectOption('select[name=reason]', 'not_found');
  await waitInPage(page, 'no not-found pull', () => document.querySelectorAll('[data-testid=pull-row]').length === 0, null);
  await page.selectOption('select[name=reason]', '');

  // Slow: a badge once the server marks it, and the "slow" status filter keeps only it.
  await waitInPage(page, 'the slow badge', () => document.querySelector('[data-testid=slow]') !== null, null);
  await page.selectOption('select[name=status]', 'slow');
  await waitInPage(page, 'only the slow pull', () => document.querySelectorAll('[data-testid=pull-row]').length === 1, null);
  assert.match((await page.textContent('[data-testid=pull-row] [data-testid=image]')) ?? '', /slow:v1/);
  await trickle.stop();
  browser.assertClean();
});
