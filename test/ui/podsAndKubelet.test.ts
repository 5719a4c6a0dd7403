/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// With Kubernetes (a fake API server speaking real list/watch): the waiting pods show on their
// pull, the namespace and pod filters find them (and live in the URL), and a kubelet failure
// whose text carries an HTML error page from a proxy is shown as text.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  FakeKubeApi,
  kubeletEvent,
  kubeletMessages,
  MB,
  podObject,
  postReportOk,
  report,
  startUi,
  syntheticPull,
  waitInPage,
  waitLive,
  writeKubeconfig,
} from '../kit/index.js';

const GOOD = '127.0.0.1:5000/shop/checkout:2.1';
const BAD = '127.0.0.1:5000/batch/report:nightly';
const PROXY_PAGE =
  '<html><head><title>502 Bad Gateway</title></head><body><script>alert(1)</script><img src=x onerror=alert(2)></body></html>';

function rowsText(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid=pull-row]', (rows) => rows.map((r) => r.querySelector('[data-testid=pod]')?.textContent ?? ''));
}

test('waiting pods show on their pulls, namespace and pod filters find them, kubelet errors stay text', async (t) => {
  const kube = await FakeKubeApi.start();
  t.after(() => kube.close());
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-ui-kube-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = await writeKubeconfig(dir, kube.url);
  const { server, browser, page } = await startUi(t, 'pods-and-kubelet', {
    server: { kubernetes: 'auto', env: { KUBECONFIG: kubeconfig } },
  });
  await kube.waitForWatches(2);

  const checkout = kube.apply(
    podObject({ name: 'checkout-7d9f', namespace: 'shop', nodeName: 'worker-1', containers: [{ name: 'app', image: GOOD }] }),
  );
  kube.apply(
    kubeletEvent({ pod: checkout, container: 'app', node: 'worker-1', reason: 'Pulling', message: kubeletMessages.pulling(GOOD) }),
  );
  await postReportOk(
    server.url,
    report('worker-1', [
      syntheticPull({
        imageRef: '127.0.0.1/shop/checkout',
        startedAt: new Date().toISOString(),
        layers: [{ size: 8 * MB }],
        downloaded: 2 * MB,
      }),
    ]),
  );

  const nightly = kube.apply(
    podObject({
      name: 'report-5c2x',
      namespace: 'batch',
      nodeName: 'worker-2',
      containers: [{ name: 'report', image: BAD, state: { waiting: { reason: 'ErrImagePull', message: 'bad gateway' } } }],
    }),
  );
  const failure = kubeletMessages.failed(
    BAD,
    `rpc error: code = Unknown desc = failed to pull and unpack image "${BAD}": failed to resolve reference "${BAD}": unexpected status from HEAD request: 502 Bad Gateway ${PROXY_PAGE}`,
  );
  kube.apply(kubeletEvent({ pod: nightly, container: 'report', node: 'worker-2', reason: 'Failed', message: failure }));

  await page.goto(server.url);
  await waitLive(page);
  await waitInPage(
    page,
    'both pulls with their pods',
    () => [...document.querySelectorAll('[data-testid=pull-row] [data-testid=pod]')].length === 2,
    null,
    20_000,
  );
  assert.deepEqual((await rowsText(page)).sort(), ['batch/report-5c2x/report', 'shop/checkout-7d9f/app']);

  const failed = page.locator('[data-testid=pull-row][data-status=failed]');
  assert.equal(await failed.locator('[data-testid=error]').textContent(), failure, "kubelet's message, verbatim");
  assert.equal(
    await page.evaluate(() => document.querySelectorAll('#root script, #root img, #root title, #root body').length),
    0,
    'nothing injected',
  );

  await page.fill('input[name=namespace]', 'batch');
  await waitInPage(page, 'one row for namespace batch', () => document.querySelectorAll('[data-testid=pull-row]').length === 1, null);
  assert.deepEqual(await rowsText(page), ['batch/report-5c2x/report']);
  assert.match(page.url(), /[?&]namespace=batch(&|$)/);

  await page.fill('input[name=namespace]', '');
  await page.fill('input[name=pod]', 'checkout');
  await waitInPage(page, 'one row for pod checkout', () => document.querySelectorAll('[data-testid=pull-row]').length === 1, null);
  assert.deepEqual(await rowsText(page), ['shop/checkout-7d9f/app']);
  assert.match(page.url(), /[?&]pod=checkout(&|$)/);
  assert.doesNotMatch(page.url(), /namespace=/);

  await page.goto(`${server.url}/?namespace=shop&view=images`);
  await waitInPage(
    page,
    'one image group for namespace shop',
    () => document.querySelectorAll('[data-testid=image-group]').length === 1,
    null,
  );
  assert.equal(await page.getAttribute('[data-testid=image-group] .image', 'title'), GOOD, "the pull carries kubelet's exact image name");
  browser.assertClean();
});
