/// <reference lib="dom" />
// The pull list from fixtures: a row per pull, shared layers named by the owning pull's image, the
// stale look while the connection is down, and one row that cannot be drawn showing an error in
// its place while the others stay (before the error boundary, `percent: null` blanked the page).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PullList } from '../../../web/src/components/PullList.js';
import { emptyState } from '../../../web/src/state/emptyState.js';
import type { PullStatus } from '../../../web/src/state/types.js';
import { layer, pull } from '../unit/fixtures.js';
import { render } from './support/render.js';

const NOW = Date.parse('2026-01-01T00:01:00Z');

function list(
  t: Parameters<typeof render>[0],
  pulls: PullStatus[],
  { expanded = new Set<string>(), stale = false, empty = emptyState(0, { reporting: 2, total: 2 }) } = {},
) {
  return render(t, <PullList pulls={pulls} expanded={expanded} onToggle={() => {}} now={NOW} stale={stale} empty={empty} />);
}

test('no pulls: the list tells no agent, silent agents, an idle cluster and hidden pulls apart', (t) => {
  const says = (pullsKnown: number, agents?: { reporting: number; total: number }) =>
    list(t, [], { empty: emptyState(pullsKnown, agents) }).get('.empty');
  assert.match(says(0, { reporting: 0, total: 0 }).textContent ?? '', /^No agent has reported yet/);
  assert.equal(says(0, { reporting: 0, total: 0 }).getAttribute('data-empty'), 'no-agent');
  assert.match(says(0, { reporting: 0, total: 3 }).textContent ?? '', /^No agent is reporting: all 3 went silent/);
  assert.equal(
    says(0, { reporting: 2, total: 2 }).textContent,
    '2 agents reporting, no pull right now. Pulls appear here as soon as a node starts one.',
  );
  assert.equal(says(5, { reporting: 2, total: 2 }).textContent, 'No pull matches these filters (5 pulls hidden).');
  assert.equal(says(0).getAttribute('data-empty'), 'unknown', 'agents not known: no claim about them');
});

test('a row per pull, in the order given', (t) => {
  const view = list(t, [
    pull({ id: 'a', imageRef: 'docker.io/library/nginx:1.27', nodeName: 'worker-1' }),
    pull({ id: 'b', imageRef: 'docker.io/library/redis:7', nodeName: 'worker-2' }),
  ]);
  assert.deepEqual(view.texts('[data-testid=image]'), ['nginx:1.27', 'redis:7']);
  assert.deepEqual(view.texts('[data-testid=node]'), ['worker-1', 'worker-2']);
});

test('a shared layer names the image of the pull that downloads it, when that pull is listed', (t) => {
  const base = layer({ digest: 'sha256:base', state: 'shared', sharedWith: 'alpha' });
  const view = list(t, [pull({ id: 'alpha', imageRef: 'registry.example.com/team/alpha:v1' }), pull({ id: 'beta', layers: [base] })], {
    expanded: new Set(['beta']),
  });
  assert.equal(view.text('[data-testid=shared-with]'), 'with registry.example.com/team/alpha:v1');
});

test('while the connection is down the list is marked stale and busy', (t) => {
  const section = list(t, [pull()], { stale: true }).get('section');
  assert.equal(section.className, 'list list-stale');
  assert.equal(section.getAttribute('aria-busy'), 'true');
});

test('a pull that cannot be drawn shows an error in its row; values that are not numbers print dashes', (t) => {
  t.mock.method(console, 'error', () => {}); // React reports the caught error; expected here
  // What a broken or hostile server (or a proxy) could send; the real server refuses such values.
  const nulls = {
    ...pull({ id: 'nulls002', nodeName: 'worker-2', imageRef: 'registry.example.com/nulls:1' }),
    percent: null,
    downloadedBytes: null,
    totalBytes: 'lots',
    bytesPerSec: null,
    etaSeconds: null,
  } as unknown as PullStatus;
  const broken = {
    ...pull({ id: 'broken03', nodeName: 'worker-3', imageRef: 'registry.example.com/broken:1' }),
    pods: { not: 'a list' },
  } as unknown as PullStatus;
  const view = list(t, [pull({ id: 'good0001', nodeName: 'worker-1', percent: 40 }), nulls, broken]);

  const errors = view.texts('[data-testid=row-error]');
  assert.equal(errors.length, 1, 'only the broken row');
  assert.match(errors[0] ?? '', /^Pull broken03 \(registry\.example\.com\/broken:1 on worker-3\) could not be shown: /);
  assert.deepEqual(
    [...view.container.querySelectorAll('[data-testid=pull-row]')].map((r) => r.getAttribute('data-pull-id')),
    ['good0001', 'nulls002'],
    'the other rows are drawn',
  );
  assert.equal(view.text('[data-pull-id=good0001] [data-testid=percent]'), '40.0%');
  assert.equal(view.text('[data-pull-id=nulls002] [data-testid=percent]'), '–');
  assert.equal(view.text('[data-pull-id=nulls002] [data-testid=speed]'), '–');
  assert.match(view.text('[data-pull-id=nulls002] [data-testid=bytes]'), /^– \/ –/);
});
