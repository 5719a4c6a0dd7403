/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The rollout view with 1,000 pulls of one image: the counts match what the agents reported, the
// three deliberately slow nodes are listed slowest first, the rollout ETA is the slowest node's,
// failed nodes show their error, a node link opens that node's pull, and the pull list sorts by
// speed (slowest first) and ETA (longest first). Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportPull } from '../../src/model/index.js';
import { MB, postReportOk, report, startUi, syntheticPull, valueInPage, waitInPage, waitLive } from '../kit/index.js';

const IMAGE = 'registry.example.com/shop/frontend:v2';
const LAYERS = [{ size: 2000 * MB }, { size: 2000 * MB }];
const COMPLETED = 800;
const FAILED = 40;
const FAST = 157;
// Bytes per report: each slow node is 4× slower than the next, the fast ones far faster, so the
// order holds however unevenly a loaded machine paces the reports.
const SLOW: Array<[string, number]> = [
  ['node-slow-1', 0.1 * MB],
  ['node-slow-2', 0.4 * MB],
  ['node-slow-3', 1.6 * MB],
];
const FAST_STEP = 25 * MB;
const TOTAL = COMPLETED + FAILED + FAST + SLOW.length;

const nodeName = (kind: string, i: number) => `node-${kind}-${String(i).padStart(4, '0')}`;
const failure = (i: number) => `failed to copy: read tcp 10.0.${i}.7:443: connection reset by peer (node ${i})`;

test('rollout view of 1,000 pulls of one image: counts, slowest nodes, ETA, failures, links and sorts', async (t) => {
  const { server, browser, page } = await startUi(t, 'rollout-1000', { browser: { width: 1400, height: 900 } });
  await page.goto(`${server.url}/?view=images`);
  await waitLive(page);
  const startedAt = new Date().toISOString();
  const pull = (downloaded: number, extra: Partial<Parameters<typeof syntheticPull>[0]> = {}): ReportPull =>
    syntheticPull({ imageRef: IMAGE, startedAt, layers: LAYERS, downloaded, ...extra });

  // Finished nodes report once; 50 at a time keeps the loaded machine responsive.
  const once: Array<[string, ReportPull]> = [];
  for (let i = 0; i < COMPLETED; i++) once.push([nodeName('done', i), pull(4000 * MB, { status: 'completed' })]);
  for (let i = 0; i < FAILED; i++) once.push([nodeName('failed', i), pull(100 * MB, { status: 'failed', error: failure(i) })]);
  for (let i = 0; i < once.length; i += 50) {
    await Promise.all(once.slice(i, i + 50).map(([node, p]) => postReportOk(server.url, report(node, [p]))));
  }

  // Active nodes report every second with growing byte counts, as agents do.
  const moving: Array<[string, number]> = [
    ...SLOW,
    ...Array.from({ length: FAST }, (_, i): [string, number] => [nodeName('fast', i), FAST_STEP]),
  ];
  let ticks = 0;
  let failure_: unknown;
  const tick = async () => {
    ticks++;
    for (let i = 0; i < moving.length; i += 40) {
      await Promise.all(
        moving.slice(i, i + 40).map(([node, step]) => postReportOk(server.url, report(node, [pull(Math.round(step * ticks))]))),
      );
    }
  };
  let running = tick();
  const timer = setInterval(() => {
    running = running.then(tick).catch((err: unknown) => {
      failure_ ??= err;
    });
  }, 1000);
  t.after(async () => {
    clearInterval(timer);
    await running;
  });

  const group = page.locator('[data-testid=image-group]').filter({ hasText: 'frontend' });
  await waitInPage(
    page,
    `the rollout to count ${TOTAL} nodes`,
    (total) => document.querySelector('[data-testid=rollout-nodes] dd')?.textContent === String(total),
    TOTAL,
    60_000,
  );
  // Wait for the state the test asserts: all three slow nodes have a speed and lead the list.
  const slowest = await valueInPage(
    page,
    'the three slow nodes to lead the slowest list, each with an ETA',
    () => {
      const rows = [...document.querySelectorAll('[data-testid=rollout-slow-node]')];
      const names = rows.map((r) => r.getAttribute('data-node'));
      const etas = rows.map((r) => r.textContent ?? '');
      if (names[0] !== 'node-slow-1' || names[1] !== 'node-slow-2' || names[2] !== 'node-slow-3') return null;
      if (etas.slice(0, 3).some((e) => e.endsWith('ETA –'))) return null;
      return {
        names,
        firstEta: rows[0]?.querySelector('.num:last-child')?.textContent ?? '',
        etaText: document.querySelector('[data-testid=rollout-eta] dd')?.textContent ?? '',
        etaNode: document.querySelector('[data-testid=rollout-eta-node]')?.textContent ?? '',
        etaSeconds: document.querySelector('[data-testid=rollout-eta]')?.getAttribute('data-eta-seconds') ?? '',
        done: document.querySelector('[data-testid=rollout-done] dd')?.textContent,
        pulling: document.querySelector('[data-testid=rollout-pulling] dd')?.textContent,
        stalled: document.querySelector('[data-testid=rollout-stalled] dd')?.textContent,
        failed: document.querySelector('[data-testid=rollout-failed] dd')?.textContent,
        p50: document.querySelector('[data-testid=rollout-p50] dd')?.textContent,
        p95: document.querySelector('[data-testid=rollout-p95] dd')?.textContent,
        throughput: document.querySelector('[data-testid=rollout-throughput] dd')?.textContent,
        bar: document.querySelector('.rollout-bar')?.getAttribute('aria-label'),
      };
    },
    null,
    90_000,
  );
  await browser.screenshot('rollout-1000-images');
  t.diagnostic(JSON.stringify(slowest));

  assert.deepEqual(
    [slowest.done, slowest.pulling, slowest.stalled, slowest.failed],
    [String(COMPLETED), String(FAST + SLOW.length), '0', String(FAILED)],
    'counts by state match the reports',
  );
  assert.equal(slowest.bar, `${COMPLETED} done, ${FAST + SLOW.length} pulling, 0 stalled, ${FAILED} failed`);
  // The rollout ETA is the slowest node's: the same figure its row shows, and a link to it.
  assert.equal(slowest.etaNode, 'node-slow-1');
  assert.ok(Number(slowest.etaSeconds) > 0, `the ETA has a value (${slowest.etaSeconds})`);
  assert.equal(`ETA ${slowest.etaText.replace(/^≥ /, '').replace(/ node-slow-1$/, '')}`, slowest.firstEta);
  // Speeds: the median node is a fast one (MB/s); the slow ones pull in kB/s.
  assert.match(slowest.p50 ?? '', /MB\/s$/);
  assert.match(slowest.throughput ?? '', /[GM]B\/s$/);

  // Failed nodes, first five by name, each with the error it reported.
  const failedRows = await group
    .locator('[data-testid=rollout-failed-node]')
    .evaluateAll((rows) => rows.map((r) => ({ node: r.getAttribute('data-node'), error: r.querySelector('.inline-error')?.textContent })));
  assert.deepEqual(
    failedRows,
    [0, 1, 2, 3, 4].map((i) => ({ node: nodeName('failed', i), error: failure(i) })),
  );
  assert.match((await group.locator('[data-testid=rollout-failed-list] h3').textContent()) ?? '', /first 5 of 40/);

  // A node link opens that node's pull in the pull list.
  await page.click('[data-testid=rollout-eta-node]');
  await waitInPage(
    page,
    'the pull list filtered to node-slow-1',
    () => {
      const rows = document.querySelectorAll('[data-testid=pull-row]');
      return rows.length === 1 && rows[0]?.querySelector('[data-testid=node]')?.textContent === 'node-slow-1';
    },
    null,
  );
  assert.match(new URL(page.url()).search, /node=node-slow-1/);

  // The pull list's sorts: slowest first, then longest ETA first, both put node-slow-1 on top.
  for (const sort of ['speed', 'eta']) {
    await page.goto(`${server.url}/?sort=${sort}`);
    await waitLive(page);
    await waitInPage(
      page,
      `node-slow-1 first under sort=${sort}`,
      () => document.querySelector('[data-testid=pull-row] [data-testid=node]')?.textContent === 'node-slow-1',
      null,
      30_000,
    );
  }
  await browser.screenshot('rollout-1000-sorted-by-eta');
  if (failure_) throw failure_;
  browser.assertClean();
});
