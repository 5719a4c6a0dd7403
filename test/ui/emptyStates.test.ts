/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// End to end in Chromium: a server no agent has reported to does not look like an idle cluster.
// The header counts the agents that report; the empty list says "no agent has reported yet",
// then "1 agent reporting, no pull right now" once one reports, then "no pull matches these
// filters" when a filter hides the pulls there are. The agent count comes from GET /api/v1/agents.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportPull } from '../../src/model/index.js';
import { MB, reportEvery, startUi, syntheticPull, waitInPage, waitLive } from '../kit/index.js';

const emptyKind = () => document.querySelector('.empty')?.getAttribute('data-empty') ?? null;

test('empty states tell no agent, an idle cluster and hidden pulls apart; the header counts agents', async (t) => {
  const { server, browser, page } = await startUi(t, 'empty-states');
  await page.goto(server.url);
  await waitLive(page);

  await waitInPage(
    page,
    'the "no agent" empty state',
    (kind) => document.querySelector(`.empty[data-empty="${kind}"]`) !== null,
    'no-agent',
  );
  assert.match((await page.textContent('.empty')) ?? '', /^No agent has reported yet/);
  assert.equal(await page.textContent('[data-testid=count-agents]'), '0');
  assert.equal(await page.getAttribute('[data-testid=count-agents]', 'class'), null);
  assert.equal(await page.evaluate(() => document.querySelector('[data-testid=count-agents]')?.parentElement?.className), 'stat stat-warn');

  // An agent reports an idle node every half second, as agents do: the page says so (agents are
  // fetched every few seconds).
  let pulls: ReportPull[] = [];
  const agent = reportEvery(server.url, 'worker-1', () => pulls);
  t.after(() => agent.stop().catch(() => {}));
  await waitInPage(
    page,
    'the "idle" empty state',
    (kind) => document.querySelector(`.empty[data-empty="${kind}"]`) !== null,
    'idle',
    20_000,
  );
  assert.equal(await page.textContent('.empty'), '1 agent reporting, no pull right now. Pulls appear here as soon as a node starts one.');
  assert.equal(await page.textContent('[data-testid=count-agents]'), '1');

  // A pull arrives, and a filter hides it: the page says the filter hides it, not that nothing pulls.
  const startedAt = new Date().toISOString();
  pulls = [syntheticPull({ imageRef: 'registry.example.com/a:1', startedAt, layers: [{ size: MB }], downloaded: 0 })];
  await waitInPage(page, 'the pull row', () => document.querySelector('[data-testid=pull-row]') !== null, null);
  await page.goto(`${server.url}/?node=some-other-node`);
  await waitLive(page);
  await waitInPage(
    page,
    'the "filtered" empty state',
    (kind) => document.querySelector(`.empty[data-empty="${kind}"]`) !== null,
    'filtered',
  );
  assert.equal(await page.textContent('.empty'), 'No pull matches these filters (1 pull hidden).');
  assert.equal(await page.evaluate(emptyKind), 'filtered');
  browser.assertClean();
});
