/// <reference lib="dom" />
// The view tabs: real links that keep the filters (so "open in a new tab" works), the current one
// marked, and a plain click switching the view in-page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tabs } from '../../../web/src/components/Tabs.js';
import { DEFAULT_VIEW_STATE, type ViewState } from '../../../web/src/state/filters.js';
import { render } from './support/render.js';

test('each tab links to its view with the current filters; the current one is marked', (t) => {
  const view = render(t, <Tabs state={{ ...DEFAULT_VIEW_STATE, view: 'images', node: 'worker-1' }} onChange={() => {}} />);
  const tabs = [...view.container.querySelectorAll('a.tab')];
  assert.deepEqual(
    tabs.map((a) => a.textContent),
    ['Pulls', 'Images', 'History'],
  );
  assert.deepEqual(
    tabs.map((a) => a.getAttribute('href')),
    ['/?node=worker-1', '/?view=images&node=worker-1', '/?view=history&node=worker-1'],
  );
  assert.deepEqual(
    tabs.map((a) => a.getAttribute('aria-current')),
    [null, 'page', null],
  );
});

test('a plain click switches the view in-page; a modified click is left to the browser', (t) => {
  const changes: Array<Partial<ViewState>> = [];
  const view = render(t, <Tabs state={DEFAULT_VIEW_STATE} onChange={(c) => changes.push(c)} />);
  const history = view.container.querySelectorAll('a.tab')[2]!;
  const plain = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 });
  history.dispatchEvent(plain);
  assert.deepEqual(changes, [{ view: 'history' }]);
  assert.equal(plain.defaultPrevented, true);
  const middle = new MouseEvent('click', { bubbles: true, cancelable: true, button: 1 });
  history.dispatchEvent(middle);
  assert.equal(changes.length, 1);
  assert.equal(middle.defaultPrevented, false);
});
