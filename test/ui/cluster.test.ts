/// <reference lib="dom" />
// The cluster filter in the UI: a server with PULLTRACE_CLUSTER=eu-1 shows its pulls under
// ?cluster=eu-1 and none under ?cluster=us-1, with the Cluster select showing the choice; a second
// cluster's server on the same NATS shows up in the first one's UI, and the select picks it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MB,
  postReportOk,
  report,
  startNats,
  startPulltrace,
  startUi,
  syntheticPull,
  TEST_SERVER_FLAGS,
  valueInPage,
  waitInPage,
  waitLive,
} from '../kit/index.js';

test('the cluster filter comes from the URL and selects pulls by their cluster', async (t) => {
  const { server, page } = await startUi(t, 'cluster-filter', { server: { extraArgs: ['--cluster', 'eu-1'] } });
  await postReportOk(
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

test('a second cluster on the same NATS shows up in the UI; the Cluster select picks one', async (t) => {
  const nats = await startNats();
  t.after(() => nats.close());
  const { server, page } = await startUi(t, 'cluster-multi', { server: { extraArgs: ['--cluster', 'ui-eu', '--bus', nats.url] } });
  const other = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--cluster', 'ui-us', '--bus', nats.url]);
  t.after(() => other.stop());
  const startedAt = new Date().toISOString();
  await postReportOk(
    server.url,
    report('worker-1', [
      syntheticPull({ imageRef: 'docker.io/library/nginx:1.27', startedAt, layers: [{ size: 50 * MB }], downloaded: 10 * MB }),
    ]),
  );
  await postReportOk(
    other.baseUrl,
    report('worker-1', [
      syntheticPull({ imageRef: 'docker.io/library/redis:7', startedAt, layers: [{ size: 50 * MB }], downloaded: 20 * MB }),
    ]),
  );

  await page.goto(server.url);
  await waitLive(page);
  await waitInPage(page, "both clusters' pulls", () => document.querySelectorAll('[data-testid=pull-row]').length === 2, undefined);
  const options = await valueInPage(
    page,
    'the Cluster select with both clusters',
    () => {
      const select = document.querySelector('select[name=cluster]') as HTMLSelectElement | null;
      return select && select.options.length === 3 ? [...select.options].map((o) => o.value) : undefined;
    },
    undefined,
  );
  assert.deepEqual(options, ['', 'ui-eu', 'ui-us']);
  await page.selectOption('select[name=cluster]', 'ui-us');
  await waitInPage(page, 'only the ui-us pull', () => document.querySelectorAll('[data-testid=pull-row]').length === 1, undefined);
  assert.match(await page.$eval('[data-testid=pull-row] [data-testid=image]', (e) => e.textContent ?? ''), /redis/);
  assert.match(page.url(), /cluster=ui-us/);
});
