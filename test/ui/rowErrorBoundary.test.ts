/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// A pull the UI cannot draw (values no code expects, as a broken or hostile server could send)
// shows an error in its own row; the other rows and the page stay. Before the error boundary,
// `percent: null` made `toFixed` throw and the page went blank for every viewer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startUi, waitInPage, waitLive } from './support/uiTest.js';

const base = {
  status: 'pulling',
  totalBytes: 10_000_000,
  downloadedBytes: 4_000_000,
  cachedBytes: 0,
  bytesPerSec: 1_000_000,
  etaSeconds: 6,
  percent: 40,
  layerCount: 1,
  layersDone: 0,
  startedAt: new Date().toISOString(),
  pods: [],
  totalKnown: true,
};

const PULLS = [
  { ...base, id: 'good0001', nodeName: 'worker-1', imageRef: 'registry.example.com/good:1' },
  // Numbers that are not numbers: the formatters print dashes, the row is drawn.
  {
    ...base,
    id: 'nulls002',
    nodeName: 'worker-2',
    imageRef: 'registry.example.com/nulls:1',
    percent: null,
    downloadedBytes: null,
    totalBytes: 'lots',
    bytesPerSec: null,
    etaSeconds: null,
  },
  // A shape no component expects: this row cannot be drawn and says so.
  { ...base, id: 'broken03', nodeName: 'worker-3', imageRef: 'registry.example.com/broken:1', pods: { not: 'a list' } },
];

test('a pull that cannot be drawn shows an error in its row, never a blank page', async (t) => {
  const { server, page } = await startUi(t, 'row-error-boundary');
  // The server refuses such values; a proxy, an older or a broken server might not. Serve them.
  await page.route(/\/api\/v1\/pulls(\?.*)?$/, (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ pulls: PULLS }) }),
  );
  await page.goto(server.url);
  await waitLive(page);
  await waitInPage(page, 'three rows, one of them an error', () => document.querySelectorAll('.list-item').length === 3, null);
  await waitInPage(page, 'the row error', () => document.querySelector('[data-testid=row-error]') !== null, null);

  const errors = await page.locator('[data-testid=row-error]').allTextContents();
  assert.equal(errors.length, 1, 'only the broken row');
  assert.match(errors[0] ?? '', /^Pull broken03 \(registry\.example\.com\/broken:1 on worker-3\) could not be shown: /);

  const good = page.locator('[data-testid=pull-row][data-pull-id=good0001]');
  assert.equal(await good.locator('[data-testid=percent]').textContent(), '40.0%');
  const nulls = page.locator('[data-testid=pull-row][data-pull-id=nulls002]');
  assert.equal(await nulls.locator('[data-testid=percent]').textContent(), '–');
  assert.equal(await nulls.locator('[data-testid=speed]').textContent(), '–');
  assert.match((await nulls.locator('[data-testid=bytes]').textContent()) ?? '', /^– \/ –/);
  assert.ok(await page.isVisible('header'), 'the page around the rows is intact');
});
