/// <reference lib="dom" />
// A pull the agent had to trim (an image with more layers than a report may carry) says so in its
// layer detail, with the number of layers not listed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MB, postReport, report, syntheticPull } from './support/reports.js';
import { startUi, waitInPage, waitLive } from './support/uiTest.js';

const IMAGE = 'registry.example.com/team/many-layers:1';

test('a trimmed pull shows how many layers are not listed', async (t) => {
  const { server, page } = await startUi(t, 'layers-omitted');
  await page.goto(server.url);
  await waitLive(page);

  const pull = {
    ...syntheticPull({ imageRef: IMAGE, startedAt: new Date().toISOString(), layers: [{ size: MB }, { size: MB }], downloaded: MB }),
    layersOmitted: 101,
  };
  await postReport(server.url, report('worker-1', [pull]));
  await waitInPage(page, 'the pull row', (img) => document.querySelector(`[data-testid=image][title="${img}"]`) !== null, IMAGE);
  await page.click('[data-testid=pull-row] button.expand');
  await waitInPage(page, 'the note on omitted layers', () => document.querySelector('[data-testid=layers-omitted]') !== null, null);
  assert.equal(
    await page.textContent('[data-testid=layers-omitted]'),
    '101 more layers not listed: the image has more layers than an agent report may carry',
  );
  assert.equal(await page.locator('[data-testid=layer-row]').count(), 2, 'the listed layers are still shown');
});
