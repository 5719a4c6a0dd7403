/// <reference lib="dom" />
// The rollout panel from a summary fixture: counts by state (figures and the bar's label), speeds,
// the ETA (a lower bound when some ETAs are unknown) with a link to the node it belongs to, the
// slowest and the failed nodes, and links that open a node's pull in-page on a plain click only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RolloutSummary } from '../../../src/rollout/index.js';
import { RolloutPanel } from '../../../web/src/components/RolloutPanel.js';
import { render } from './support/render.js';

const IMAGE = 'registry.example.com/shop/frontend:v2';
const MB = 1_000_000;

function summary(overrides: Partial<RolloutSummary> = {}): RolloutSummary {
  return {
    imageRef: IMAGE,
    pulls: 1000,
    nodes: 1000,
    done: 800,
    pulling: 160,
    stalled: 0,
    failed: 40,
    bytesPerSec: 4_000 * MB,
    totalBytes: 4_000_000 * MB,
    downloadedBytes: 3_300_000 * MB,
    percent: 82.5,
    worst: 'failed',
    speedP50: 25 * MB,
    speedP95: 30 * MB,
    etaSeconds: 3725,
    etaPullId: 'slow-1',
    etaUnknown: 0,
    slowest: [
      { id: 'slow-1', nodeName: 'node-slow-1', status: 'pulling', percent: 2.5, bytesPerSec: 100_000, etaSeconds: 3725 },
      { id: 'slow-2', nodeName: 'node-slow-2', status: 'stalled', percent: 10, bytesPerSec: 0 },
    ],
    failedPulls: [0, 1, 2, 3, 4].map((i) => ({
      id: `f${i}`,
      nodeName: `node-failed-${i}`,
      status: 'failed',
      percent: 0,
      bytesPerSec: 0,
      error: `connection reset by peer (node ${i})`,
      ...(i === 0 ? { failureReason: 'rate_limited' } : {}),
    })),
    ...overrides,
  };
}

function panel(t: Parameters<typeof render>[0], s: RolloutSummary, onOpenPull: (node: string, image: string) => void = () => {}) {
  return render(t, <RolloutPanel summary={s} onOpenPull={onOpenPull} />);
}

test('counts by state, in figures and in the bar that draws them', (t) => {
  const view = panel(t, summary());
  const figure = (id: string) => view.text(`[data-testid=${id}] dd`);
  assert.deepEqual(['rollout-nodes', 'rollout-done', 'rollout-pulling', 'rollout-stalled', 'rollout-failed'].map(figure), [
    '1000',
    '800',
    '160',
    '0',
    '40',
  ]);
  assert.equal(view.get('.rollout-bar').getAttribute('aria-label'), '800 done, 160 pulling, 0 stalled, 40 failed');
  assert.deepEqual(
    [...view.container.querySelectorAll('.rollout-part')].map((p) => p.className),
    ['rollout-part rollout-done', 'rollout-part rollout-pulling', 'rollout-part rollout-failed'],
    'no part for an empty state',
  );
  assert.equal(view.get('[data-testid=rollout-failed]').className, 'figure count-failed');
  assert.equal(view.get('[data-testid=rollout-stalled]').className, 'figure ');
  assert.equal(figure('rollout-throughput'), '4.00 GB/s');
  assert.equal(figure('rollout-p50'), '25.0 MB/s');
  assert.equal(figure('rollout-p95'), '30.0 MB/s');
});

test("the ETA is the slowest node's, linked to that node; a lower bound when some ETAs are unknown", (t) => {
  const known = panel(t, summary());
  assert.equal(known.text('[data-testid=rollout-eta] dd'), '1h 02m node-slow-1');
  assert.equal(known.get('[data-testid=rollout-eta]').dataset.etaSeconds, '3725');
  assert.equal(known.text('[data-testid=rollout-eta-node]'), 'node-slow-1');
  const bound = panel(t, summary({ etaUnknown: 2 }));
  assert.match(bound.text('[data-testid=rollout-eta] dd'), /^≥ 1h 02m/);
  const none = panel(t, summary({ etaSeconds: undefined, etaPullId: undefined, slowest: [] }));
  assert.equal(none.text('[data-testid=rollout-eta] dd'), '–');
  assert.equal(none.container.querySelector('[data-testid=rollout-slowest]'), null);
});

test('the slowest nodes, worst first, each with percent, speed (or stalled) and ETA', (t) => {
  const view = panel(t, summary());
  const rows = [...view.container.querySelectorAll('[data-testid=rollout-slow-node]')];
  assert.deepEqual(
    rows.map((r) => r.getAttribute('data-node')),
    ['node-slow-1', 'node-slow-2'],
  );
  assert.deepEqual(
    rows.map((r) => [...r.querySelectorAll('.num')].map((c) => c.textContent)),
    [
      ['2.5%', '100 kB/s', 'ETA 1h 02m'],
      ['10.0%', 'stalled', 'ETA –'],
    ],
  );
});

test('failed nodes with their error and kind; the heading says when only the first are listed', (t) => {
  const view = panel(t, summary());
  assert.equal(view.text('[data-testid=rollout-failed-list] h3'), 'Failed (first 5 of 40)');
  const rows = [...view.container.querySelectorAll('[data-testid=rollout-failed-node]')];
  assert.deepEqual(
    rows.map((r) => [r.getAttribute('data-node'), r.querySelector('.inline-error')?.textContent]),
    [0, 1, 2, 3, 4].map((i) => [`node-failed-${i}`, `connection reset by peer (node ${i})`]),
  );
  assert.equal(rows[0]?.querySelector('.reason')?.textContent, 'rate-limited', 'the label, not the raw code');
  assert.equal(rows[1]?.querySelector('.reason'), null);
  const all = panel(t, summary({ failed: 5 }));
  assert.equal(all.text('[data-testid=rollout-failed-list] h3'), 'Failed');
});

test('a node link is a real link to that pull; a plain click opens it in-page, a modified click is left to the browser', (t) => {
  const opened: Array<[string, string]> = [];
  const view = panel(t, summary(), (node, image) => opened.push([node, image]));
  const link = view.get('[data-testid=rollout-eta-node]') as HTMLAnchorElement;
  const href = new URLSearchParams(link.getAttribute('href') ?? '');
  assert.equal(href.get('node'), 'node-slow-1');
  assert.equal(href.get('image'), IMAGE);

  const plain = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 });
  view.get('[data-testid=rollout-eta-node]').dispatchEvent(plain);
  assert.deepEqual(opened, [['node-slow-1', IMAGE]]);
  assert.equal(plain.defaultPrevented, true, 'the page does not navigate');

  const newTab = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0, ctrlKey: true });
  view.get('[data-testid=rollout-failed-node] a').dispatchEvent(newTab);
  assert.equal(opened.length, 1, 'ctrl-click is not handled in-page');
  assert.equal(newTab.defaultPrevented, false);
});
