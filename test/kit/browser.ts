import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  page: Page;
  context: BrowserContext;
  /** console errors, page errors and dialogs seen so far */
  problems: string[];
  /** fails with every problem seen, except console lines matching `allowed` */
  assertClean(allowed?: RegExp): void;
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export interface BrowserOptions {
  colorScheme?: 'light' | 'dark';
  width?: number;
  height?: number;
  /** more Chromium flags (benchmarks use them to lift the frame-rate cap) */
  extraArgs?: string[];
}

/** Debian chromium through playwright-core, with a fresh profile that is deleted on close. */
export async function openBrowser(options: BrowserOptions = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'pulltrace-ui-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...FLAGS, ...(options.extraArgs ?? [])],
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // A dialog would mean injected script ran (hostile names): record it and dismiss it.
  page.on('dialog', (dialog) => {
    problems.push(`dialog opened: ${dialog.type()} ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  return {
    page,
    context,
    problems,
    assertClean(allowed?: RegExp) {
      const left = problems.filter((p) => !(allowed && p.startsWith('console error:') && allowed.test(p)));
      if (left.length > 0) throw new Error(`the page reported problems:\n${left.join('\n')}`);
    },
    async screenshot(name: string) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
