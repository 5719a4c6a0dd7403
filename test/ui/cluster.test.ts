/// <reference lib="dom" />
// The cluster filter in the UI: a server with PULLTRACE_CLUSTER=eu-1 shows its pulls under
// ?cluster=eu-1 and none under ?cluster=us-1, with the Cluster select showing the choice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MB, postReport, report, syntheticPull } from './support/reports.js';
import { startUi, valueInPage, waitInPage, waitLive } from './support/uiTest.js';

test('the cluster filter comes from the URL and selects pulls by their cluster', async (t) => {
  const { server, page } = await startUi(t, 'cluster-filter', { server: { extraArgs: ['--cluster', 'eu-1'] } });
  await postReport(
    server.url,
    report('worker-1', [
      syntheticPull({
        imageRef: 'docker.io/library/nginx:1.27',
        startedAt: new Date().toISOString(),
        layers: [{ size: 50 * MB }],
        downloaded: 10 * MB,
      }),
    ]),
  );

  await page.goto(`${server.url}/?cluster=eu-1`);
  await waitLive(page);
  await waitInPage(page, 'the eu-1 pull row', () => document.querySelectorAll('[data-testid=pull-row]').length === 1, undefined);
  const selected = await valueInPage(
    page,
    'the Cluster select',
    () => (document.querySelector('select[name=cluster]') as HTMLSelectElement | null)?.value,
    undefined,
  );
  assert.equal(selected, 'eu-1', 'the Cluster select shows the chosen cluster');

  await page.goto(`${server.url}/?cluster=us-1`);
  await waitLive(page);
  await waitInPage(
    page,
    'the count to say 0 of 1 pulls',
    () => document.querySelector('[data-testid=shown-count]')?.textContent === '0 of 1 pulls',
    undefined,
  );
  assert.equal(await page.$$eval('[data-testid=pull-row]', (rows) => rows.length), 0);
});
