import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullStatus } from '../../model/index.js';
import { afterMilestone, MAX_WRITES_PER_PULL, type MilestoneKind, type MilestoneState, nextMilestone } from './milestone.js';
import { T0, testPull } from './testPull.js';

const MIN = 10_000;

/** Feeds a sequence of pull states and returns the milestones written. */
function run(steps: Array<[number, Partial<PullStatus>]>): MilestoneKind[] {
  let state: MilestoneState | undefined;
  const out: MilestoneKind[] = [];
  for (const [at, over] of steps) {
    const pull = testPull(over);
    const kind = nextMilestone(pull, T0 + at, state, MIN);
    if (kind) {
      out.push(kind);
      state = afterMilestone(state, kind, pull);
    }
  }
  return out;
}

test('a short pull (expected under the minimum) gets no write at all, not even at its end', () => {
  assert.deepEqual(
    run([
      [0, { percent: 10, etaSeconds: 2 }],
      [1000, { percent: 60, etaSeconds: 1 }],
      [3000, { status: 'completed', percent: 100, completedAt: new Date(T0 + 3000).toISOString() }],
    ]),
    [],
  );
});

test('a long pull: start, every quarter once, done — however many reports it takes', () => {
  const steps: Array<[number, Partial<PullStatus>]> = [];
  for (let s = 0; s <= 40; s++) steps.push([s * 1000, { percent: s * 2.5, etaSeconds: 40 - s }]);
  steps.push([41_000, { status: 'unpacking', percent: 100 }]);
  steps.push([43_000, { status: 'completed', percent: 100, completedAt: new Date(T0 + 43_000).toISOString() }]);
  assert.deepEqual(run(steps), ['start', 'progress', 'progress', 'progress', 'done']);
});

test('a pull becomes long once elapsed time plus ETA passes the minimum', () => {
  assert.deepEqual(
    run([
      [0, { percent: 1, etaSeconds: 5 }],
      [6000, { percent: 5, etaSeconds: 5 }],
    ]),
    ['start'],
  );
});

test('stalled and trickling are written, and so is the recovery', () => {
  assert.deepEqual(
    run([
      [0, { percent: 5, etaSeconds: 60 }],
      [5000, { percent: 10, status: 'stalled' }],
      [9000, { percent: 12, status: 'pulling' }],
      [12000, { percent: 14, slow: true }],
      [15000, { percent: 15, slow: false }],
    ]),
    ['start', 'stalled', 'recovered', 'trickling', 'recovered'],
  );
});

test('never more than the cap per pod pull, and the last write is kept for the end', () => {
  const steps: Array<[number, Partial<PullStatus>]> = [[0, { percent: 1, etaSeconds: 60 }]];
  for (let i = 1; i <= 20; i++) steps.push([i * 1000, i % 2 ? { status: 'stalled' } : { status: 'pulling' }]);
  steps.push([30_000, { status: 'failed', error: 'x', completedAt: new Date(T0 + 30_000).toISOString() }]);
  const written = run(steps);
  assert.equal(written.length, MAX_WRITES_PER_PULL);
  assert.equal(written.at(-1), 'failed');
});

test('a failed long pull is written as failed; nothing after the end', () => {
  assert.deepEqual(
    run([
      [0, { percent: 30, etaSeconds: 60 }],
      [1000, { status: 'failed', failureReason: 'not_found', completedAt: new Date(T0 + 1000).toISOString() }],
      [2000, { status: 'failed', failureReason: 'not_found', completedAt: new Date(T0 + 1000).toISOString() }],
    ]),
    ['start', 'failed'],
  );
});

test('a start past 25 % does not also write the quarters already passed', () => {
  assert.deepEqual(
    run([
      [0, { percent: 60, etaSeconds: 30 }],
      [1000, { percent: 70, etaSeconds: 20 }],
      [2000, { percent: 80, etaSeconds: 10 }],
    ]),
    ['start', 'progress'],
  );
});
