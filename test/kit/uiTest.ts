/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { type BrowserOptions, openBrowser, type TestBrowser } from './browser.js';
import { type ServerOptions, startServer, type TestServer } from './testServer.js';

export interface Ui {
  server: TestServer;
  browser: TestBrowser;
  page: Page;
}

/**
 * A real server and a browser on its page, both ended after the test (a screenshot of the
 * final page goes to test-artifacts/ first, also when the test failed).
 */
export async function startUi(
  t: TestContext,
  name: string,
  options: { server?: ServerOptions; browser?: BrowserOptions } = {},
): Promise<Ui> {
  // The synthetic nodes of a UI test all report from this one address: lift the per-address node cap.
  const server = await startServer({
    ...options.server,
    extraArgs: ['--node-report-rate', '1000', '--max-nodes-per-address', '100000', ...(options.server?.extraArgs ?? [])],
  });
  let browser: TestBrowser;
  try {
    browser = await openBrowser(options.browser);
  } catch (err) {
    await server.stop();
    throw err;
  }
  // One hook, so the final screenshot is taken while the server still runs.
  t.after(async () => {
    try {
      // Printed even when the test failed before asserting a clean page, to show why.
      for (const problem of browser.problems) t.diagnostic(problem);
      await browser.screenshot(name).catch(() => {});
      await browser.close();
    } finally {
      await server.stop();
    }
  });
  return { server, browser, page: browser.page };
}

/** Waits for a condition in the page; a timeout fails with `what` rather than a bare timeout. */
export async function waitInPage<A>(page: Page, what: string, fn: (arg: A) => unknown, arg: A, timeoutMs = 15_000): Promise<void> {
  await valueInPage(page, what, fn, arg, timeoutMs);
}

/**
 * Like waitInPage, and returns the first truthy value `fn` gave (as JSON). Checked every frame,
 * so the value describes the first frame in which the condition held.
 */
export async function valueInPage<A, R>(
  page: Page,
  what: string,
  fn: (arg: A) => R | false | null | undefined,
  arg: A,
  timeoutMs = 15_000,
): Promise<R> {
  try {
    // playwright types the argument as Unboxed<A>; for the plain data passed here that is A.
    const handle = await page.waitForFunction(fn as (arg: unknown) => unknown, arg as unknown, { timeout: timeoutMs, polling: 'raf' });
    return (await handle.jsonValue()) as R;
  } catch (err) {
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Waits until the header says the event stream is live. */
export function waitLive(page: Page): Promise<void> {
  return waitInPage(
    page,
    'the connection to show "live"',
    () => document.querySelector('[data-testid=connection]')?.textContent === 'live',
    null,
  );
}

/** Progress of the first row whose image cell contains `image`, from its progressbar's aria-valuenow. */
export async function rowProgress(page: Page, image: string): Promise<number> {
  return page.evaluate((img) => {
    for (const row of document.querySelectorAll('[data-testid=pull-row]')) {
      if (row.querySelector('[data-testid=image]')?.getAttribute('title')?.includes(img)) {
        return Number(row.querySelector('.pull-line [role=progressbar]')?.getAttribute('aria-valuenow'));
      }
    }
    return Number.NaN;
  }, image);
}

/** Resolves after `ms`: for pacing synthetic agent reports or delaying a routed response, never to wait for the page. */
export function pace(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
