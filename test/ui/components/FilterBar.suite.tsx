/// <reference lib="dom" />
// The filter bar from a view state: its fields show the state, typing or choosing reports the one
// change, "clear filters" appears only with a filter set, the cluster choice only with several
// clusters, and the count of pulls shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FilterBar } from '../../../web/src/components/FilterBar.js';
import { DEFAULT_VIEW_STATE, type ViewState } from '../../../web/src/state/filters.js';
import { render } from './support/render.js';

interface Options {
  state?: Partial<ViewState>;
  showSort?: boolean;
  shown?: number;
  total?: number;
  clusters?: string[];
  onChange?: (change: Partial<ViewState>) => void;
}

function bar(
  t: Parameters<typeof render>[0],
  { state = {}, showSort = true, shown = 4, total = 4, clusters = [], onChange = () => {} }: Options = {},
) {
  return render(
    t,
    <FilterBar
      state={{ ...DEFAULT_VIEW_STATE, ...state }}
      onChange={onChange}
      showSort={showSort}
      shown={shown}
      total={total}
      clusters={clusters}
    />,
  );
}

const value = (element: HTMLElement) => (element as HTMLInputElement | HTMLSelectElement).value;

test('the fields show the view state', (t) => {
  const view = bar(t, { state: { node: 'worker-2', image: 'nginx', status: 'failed', reason: 'rate_limited', sort: 'eta' } });
  assert.equal(value(view.get('input[name=node]')), 'worker-2');
  assert.equal(value(view.get('input[name=image]')), 'nginx');
  assert.equal(value(view.get('input[name=namespace]')), '');
  assert.equal(value(view.get('select[name=status]')), 'failed');
  assert.equal(value(view.get('select[name=reason]')), 'rate_limited');
  assert.equal(value(view.get('select[name=sort]')), 'eta');
});

test('typing in a field or choosing an option reports that one change', (t) => {
  const changes: Array<Partial<ViewState>> = [];
  const view = bar(t, { onChange: (c) => changes.push(c) });
  view.fill('input[name=namespace]', 'batch');
  view.fill('input[name=pod]', 'checkout');
  view.fill('select[name=status]', 'stalled');
  view.fill('select[name=reason]', 'not_found');
  view.fill('select[name=sort]', 'speed');
  assert.deepEqual(changes, [
    { namespace: 'batch' },
    { pod: 'checkout' },
    { status: 'stalled' },
    { reason: 'not_found' },
    { sort: 'speed' },
  ]);
});

test('failure kinds are offered by their labels', (t) => {
  const options = [...bar(t).get('select[name=reason]').querySelectorAll('option')];
  const byValue = new Map(options.map((o) => [o.value, o.textContent]));
  assert.equal(byValue.get(''), 'any');
  assert.equal(byValue.get('rate_limited'), 'rate-limited');
  assert.equal(byValue.get('no_space'), 'disk full');
});

test('"clear filters" shows only with a filter set, and clears every filter but the sort', (t) => {
  assert.equal(bar(t, { state: { sort: 'eta' } }).container.querySelector('button.link-button'), null);
  const changes: Array<Partial<ViewState>> = [];
  const view = bar(t, { state: { pod: 'x', sort: 'eta' }, onChange: (c) => changes.push(c) });
  assert.equal(view.text('button.link-button'), 'clear filters');
  view.click('button.link-button');
  assert.deepEqual(changes, [{ namespace: '', node: '', pod: '', image: '', status: '', reason: '', cluster: '' }]);
});

test('the cluster choice appears with several clusters, or when one is chosen from the URL', (t) => {
  assert.equal(bar(t, { clusters: ['eu-1'] }).container.querySelector('select[name=cluster]'), null, 'one cluster: no choice');
  const several = bar(t, { clusters: ['eu-1', 'us-1'] });
  assert.deepEqual(
    [...several.get('select[name=cluster]').querySelectorAll('option')].map((o) => o.value),
    ['', 'eu-1', 'us-1'],
  );
  // A cluster from the URL that no live pull has yet stays selectable and selected.
  const chosen = bar(t, { state: { cluster: 'ap-1' }, clusters: ['eu-1'] });
  assert.equal(value(chosen.get('select[name=cluster]')), 'ap-1');
  assert.deepEqual(
    [...chosen.get('select[name=cluster]').querySelectorAll('option')].map((o) => o.value),
    ['', 'eu-1', 'ap-1'],
  );
});

test('the count reads "N pulls", "1 pull" or "N of M pulls"; history has neither count nor sort', (t) => {
  assert.equal(bar(t, { shown: 4, total: 4 }).text('[data-testid=shown-count]'), '4 pulls');
  assert.equal(bar(t, { shown: 1, total: 1 }).text('[data-testid=shown-count]'), '1 pull');
  assert.equal(bar(t, { shown: 0, total: 1 }).text('[data-testid=shown-count]'), '0 of 1 pulls');
  const history = bar(t, { showSort: false });
  assert.equal(history.container.querySelector('[data-testid=shown-count]'), null);
  assert.equal(history.container.querySelector('select[name=sort]'), null);
});

const optionValues = (select: HTMLElement) => [...select.querySelectorAll('option')].map((o) => o.value);

test('the History tab offers only the statuses the history API takes: no `slow`, no live states', (t) => {
  const history = bar(t, { state: { view: 'history' }, showSort: false });
  assert.deepEqual(optionValues(history.get('select[name=status]')), ['', 'completed', 'failed']);
  // The Failure filter stays: the history API takes `reason`.
  assert.ok(optionValues(history.get('select[name=reason]')).includes('rate_limited'));
  // The live tabs keep every state and `slow`.
  const live = bar(t, { state: { view: 'pulls' } });
  assert.deepEqual(optionValues(live.get('select[name=status]')), ['', 'pulling', 'stalled', 'unpacking', 'completed', 'failed', 'slow']);
});

test('a live-only status carried to the History tab shows as not applied ("any"), with nothing to clear', (t) => {
  const history = bar(t, { state: { view: 'history', status: 'slow' }, showSort: false });
  assert.equal(value(history.get('select[name=status]')), '');
  assert.equal(history.container.querySelector('button.link-button'), null);
  const failed = bar(t, { state: { view: 'history', status: 'failed' }, showSort: false });
  assert.equal(value(failed.get('select[name=status]')), 'failed');
});
