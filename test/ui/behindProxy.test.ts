/// <reference lib="dom" />
// The UI behind a reverse proxy that adds X-Forwarded-For, as an Ingress does. With the proxy
// trusted (PULLTRACE_TRUSTED_PROXIES) and one event stream allowed per address, two users behind
// it each go live and see the pulls; a second tab of the first user is the one refused (429).
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { MB, postReportOk, report, startUi, syntheticPull, waitInPage, waitLive } from '../kit/index.js';

/**
 * A minimal reverse proxy for one user: it appends `userAddress` to X-Forwarded-For, as a proxy
 * appends the address of the machine it took the request from.
 */
async function startUserProxy(t: TestContext, upstreamPort: number, userAddress: string): Promise<string> {
  const proxy: Server = createServer((req, res) => {
    const before = req.headers['x-forwarded-for'];
    const headers = { ...req.headers, 'x-forwarded-for': before ? `${before}, ${userAddress}` : userAddress };
    const upstream = request({ host: '127.0.0.1', port: upstreamPort, path: req.url, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    proxy.closeAllConnections();
    proxy.close();
  });
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`;
}

test('two users behind one trusted proxy each get their own event stream', async (t) => {
  const { server, browser, page } = await startUi(t, 'behind-proxy', {
    server: { extraArgs: ['--max-sse-per-address', '1', '--trusted-proxies', '127.0.0.1,::1'] },
  });
  const alice = await startUserProxy(t, server.httpPort, '203.0.113.10');
  const bob = await startUserProxy(t, server.httpPort, '203.0.113.20');
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

  await page.goto(alice);
  await waitLive(page);
  const bobsPage = await browser.context.newPage();
  await bobsPage.goto(bob);
  await waitLive(bobsPage);
  await waitInPage(
    bobsPage,
    "the pull row on the second user's page",
    () => document.querySelector('[data-testid=pull-row]') !== null,
    null,
  );

  // Alice's second tab is over her own allowance: refused, while Bob stays live.
  const secondTab = await browser.context.newPage();
  const refused = secondTab.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/events');
  await secondTab.goto(alice);
  const answer = await refused;
  assert.equal(answer.status(), 429);
  await secondTab.close();
  // The browser's copy of that body is gone once the page's EventSource retries, so the answer's
  // body is read from a request of Alice's own, through her proxy, while her first tab holds its stream.
  const again = await fetch(`${alice}api/v1/events`, { headers: { accept: 'text/event-stream' } });
  assert.equal(again.status, 429);
  assert.equal(((await again.json()) as { error: string }).error, 'too_many_streams');
  await waitLive(bobsPage);
  browser.assertClean(/429|Too Many Requests/);
});
