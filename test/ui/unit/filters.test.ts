import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clustersOf,
  DEFAULT_VIEW_STATE,
  formatViewState,
  matchesFilters,
  parseViewState,
  sortPulls,
  statusInEffect,
} from '../../../web/src/state/filters.js';
import { pull } from './fixtures.js';

test('view state survives a round trip through the URL', () => {
  const state = {
    ...DEFAULT_VIEW_STATE,
    view: 'images' as const,
    node: 'worker-1',
    image: 'nginx',
    status: 'stalled',
    sort: 'speed' as const,
  };
  const search = formatViewState(state);
  assert.equal(search, '?view=images&node=worker-1&image=nginx&status=stalled&sort=speed');
  assert.deepEqual(parseViewState(search), state);
});

test('defaults leave the URL empty', () => assert.equal(formatViewState(DEFAULT_VIEW_STATE), ''));

test('unknown view, sort and status values fall back to defaults', () => {
  const state = parseViewState('?view=admin&sort=random&status=<b>&pod=web');
  assert.equal(state.view, 'pulls');
  assert.equal(state.sort, 'start');
  assert.equal(state.status, '');
  assert.equal(state.pod, 'web');
});

const pods = [{ namespace: 'Payments', podName: 'api-7d9f', container: 'app', image: 'nginx' }];
for (const [name, filters, want] of [
  ['no filter', {}, true],
  ['node substring, any case', { node: 'NODE' }, true],
  ['other node', { node: 'node-b' }, false],
  ['image substring', { image: 'nginx:1' }, true],
  ['namespace of a waiting pod', { namespace: 'pay' }, true],
  ['namespace no pod has', { namespace: 'kube-system' }, false],
  ['pod name', { pod: 'api-' }, true],
  ['status exact', { status: 'pulling' }, true],
  ['other status', { status: 'failed' }, false],
  ['slow selects nothing that is not slow', { status: 'slow' }, false],
  ['a failure kind on a pull that did not fail', { reason: 'rate_limited' }, false],
] as const) {
  test(`matchesFilters: ${name}`, () => assert.equal(matchesFilters(pull({ pods }), { ...DEFAULT_VIEW_STATE, ...filters }), want));
}

test('sortPulls orders by each key with a stable tie-break by id', () => {
  const a = pull({ id: 'a', startedAt: '2026-01-01T00:00:01Z', percent: 50, bytesPerSec: 1, etaSeconds: 5 });
  const b = pull({ id: 'b', startedAt: '2026-01-01T00:00:03Z', percent: 10, bytesPerSec: 9 });
  const c = pull({ id: 'c', startedAt: '2026-01-01T00:00:02Z', percent: 10, bytesPerSec: 5, etaSeconds: 50 });
  const ids = (key: Parameters<typeof sortPulls>[1]) => sortPulls([a, b, c], key).map((p) => p.id);
  assert.deepEqual(ids('start'), ['b', 'c', 'a']);
  assert.deepEqual(ids('progress'), ['b', 'c', 'a']);
  assert.deepEqual(ids('speed'), ['a', 'c', 'b']);
  assert.deepEqual(ids('eta'), ['c', 'a', 'b']);
});

test('sortPulls: an unparsable start time ties, so the id decides; the input is not reordered', () => {
  const x = pull({ id: 'x', startedAt: 'not a time' });
  const y = pull({ id: 'y', startedAt: 'not a time either' });
  const input = [y, x];
  assert.deepEqual(
    sortPulls(input, 'start').map((p) => p.id),
    ['x', 'y'],
  );
  assert.deepEqual(
    input.map((p) => p.id),
    ['y', 'x'],
  );
});

test('the slow filter selects pulls marked slow; the failure filter selects by kind', () => {
  const slow = pull({ id: 's', status: 'pulling', slow: true });
  const fast = pull({ id: 'f', status: 'pulling', slow: false });
  const limited = pull({ id: 'l', status: 'failed', failureReason: 'rate_limited' });
  const missing = pull({ id: 'm', status: 'failed', failureReason: 'not_found' });
  const shown = (filters: Partial<typeof DEFAULT_VIEW_STATE>) =>
    [slow, fast, limited, missing].filter((p) => matchesFilters(p, { ...DEFAULT_VIEW_STATE, ...filters })).map((p) => p.id);
  assert.deepEqual(shown({ status: 'slow' }), ['s']);
  assert.deepEqual(shown({ reason: 'rate_limited' }), ['l']);
  assert.deepEqual(shown({ status: 'failed', reason: 'not_found' }), ['m']);
  assert.deepEqual(shown({ status: 'unpacking' }), []);
});

test('status unpacking and slow, and a failure kind, survive the URL; an unknown kind is dropped', () => {
  const state = { ...DEFAULT_VIEW_STATE, status: 'slow', reason: 'no_space' };
  assert.equal(formatViewState(state), '?status=slow&reason=no_space');
  assert.deepEqual(parseViewState('?status=slow&reason=no_space'), state);
  assert.equal(parseViewState('?status=unpacking').status, 'unpacking');
  assert.equal(parseViewState('?reason=<script>').reason, '');
});

test('the cluster filter is exact; pulls without a cluster are in "default"; it survives the URL', () => {
  const eu = pull({ id: 'eu', cluster: 'eu-1' });
  const old = pull({ id: 'old' });
  const state = { ...DEFAULT_VIEW_STATE, cluster: 'eu-1' };
  assert.equal(matchesFilters(eu, state), true);
  assert.equal(matchesFilters(old, state), false);
  assert.equal(matchesFilters(eu, { ...state, cluster: 'eu' }), false);
  assert.equal(matchesFilters(old, { ...state, cluster: 'default' }), true);
  assert.equal(formatViewState(state), '?cluster=eu-1');
  assert.deepEqual(parseViewState('?cluster=eu-1'), state);
  assert.deepEqual(clustersOf([eu, old, pull({ id: 'eu2', cluster: 'eu-1' })]), ['default', 'eu-1']);
});

test('sortPulls by speed: slowest unfinished pulls first, finished ones (speed 0) last', () => {
  const done = pull({ id: 'done', status: 'completed', bytesPerSec: 0 });
  const stalled = pull({ id: 'stalled', status: 'stalled', bytesPerSec: 0 });
  const slow = pull({ id: 'slow', bytesPerSec: 10 });
  const fast = pull({ id: 'fast', bytesPerSec: 1000 });
  assert.deepEqual(
    sortPulls([fast, done, slow, stalled], 'speed').map((p) => p.id),
    ['stalled', 'slow', 'fast', 'done'],
  );
});

test('statusInEffect: History applies only completed/failed; the live views every status and slow', () => {
  assert.equal(statusInEffect({ view: 'history', status: 'failed' }), 'failed');
  assert.equal(statusInEffect({ view: 'history', status: 'slow' }), '');
  assert.equal(statusInEffect({ view: 'history', status: 'pulling' }), '');
  assert.equal(statusInEffect({ view: 'pulls', status: 'slow' }), 'slow');
  assert.equal(statusInEffect({ view: 'images', status: 'stalled' }), 'stalled');
});
