/// <reference lib="dom" />
// Behind an ingress that serves Pulltrace under a path prefix (/pulltrace/ → /), the page loads
// its assets, lists pulls, goes live and switches views, all through the prefix.
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { MB, postReportOk, report, startUi, syntheticPull, waitInPage, waitLive } from '../kit/index.js';

const PREFIX = '/pulltrace';

test('the UI works under a path prefix', async (t) => {
  const { server, browser, page } = await startUi(t, 'path-prefix');
  const seen: string[] = [];
  // A minimal prefix-stripping reverse proxy, as an ingress with a rewrite would be.
  const proxy = createServer((req, res) => {
    const url = req.url ?? '/';
    seen.push(url);
    if (!url.startsWith(`${PREFIX}/`)) {
      res.writeHead(404).end('outside the prefix');
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port: server.httpPort, path: url.slice(PREFIX.length), method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    proxy.closeAllConnections();
    proxy.close();
  });
  const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${PREFIX}/`;

  await postReportOk(
    server.url,
    report('worker-1', [
      syntheticPull({
        imageRef: 'docker.io/library/nginx:1.27',
        startedAt: new Date().toISOString(),
        layers: [{ size: 10 * MB }],
        downloaded: MB,
      }),
    ]),
  );
  await page.goto(base);
  await waitLive(page);
  await waitInPage(page, 'the pull row', () => document.querySelector('[data-testid=pull-row]') !== null, null);
  await page.click('a.tab:has-text("History")');
  assert.equal(new URL(page.url()).pathname, `${PREFIX}/`);
  await waitInPage(page, 'the history page', () => document.querySelector('[data-testid=history-page]') !== null, null);
  assert.deepEqual(
    seen.filter((u) => !u.startsWith(`${PREFIX}/`)),
    [],
    'every request stayed under the prefix',
  );
  assert.ok(seen.some((u) => u.startsWith(`${PREFIX}/api/v1/events`)));
  assert.ok(seen.some((u) => u.startsWith(`${PREFIX}/api/v1/history`)));
  browser.assertClean();
});
