import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageTitle } from '../../../web/src/live/usePageTitle.js';

test('the tab title counts active pulls, and is plain without any', () => {
  for (const [active, want] of [
    [0, 'Pulltrace'],
    [1, '(1) Pulltrace'],
    [12, '(12) Pulltrace'],
  ] as const)
    assert.equal(pageTitle(active), want);
});
