// Table tests of a group's percent and colour: a failed pull never makes a group look complete.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupProgress, outcomeOf, worseOutcome } from './groupProgress.js';

const p = (status: string, totalBytes = 0, downloadedBytes = 0) => ({ status, totalBytes, downloadedBytes });

test('percent from bytes, colour from the worst status', () => {
  const cases: Array<[string, ReturnType<typeof p>[], number | undefined, string]> = [
    ['the only pull failed before its size was known', [p('failed')], undefined, 'failed'],
    ['the only pull failed half-way', [p('failed', 100, 50)], 50, 'failed'],
    ['every byte arrived, then the pull failed (unpack)', [p('failed', 100, 100)], 100, 'failed'],
    ['one node done, one failed with no size', [p('completed', 100, 100), p('failed')], 100, 'failed'],
    ['one node done, one stalled', [p('completed', 100, 100), p('stalled', 100, 0)], 50, 'stalled'],
    ['pulling before any size is known', [p('pulling')], undefined, 'pulling'],
    ['unpacking counts as pulling', [p('unpacking', 10, 10)], 100, 'pulling'],
    ['a status from a newer server counts as pulling', [p('verifying', 10, 5)], 50, 'pulling'],
    ['every pull completed with everything cached', [p('completed'), p('completed')], 100, 'done'],
    ['every pull completed', [p('completed', 10, 10), p('completed', 30, 30)], 100, 'done'],
    ['no pulls', [], undefined, 'done'],
    ['hostile figures are ignored', [p('pulling', Number.NaN, -5), p('pulling', 10, 5)], 50, 'pulling'],
    ['more downloaded than the total is capped', [p('pulling', 10, 20)], 100, 'pulling'],
  ];
  for (const [name, pulls, percent, worst] of cases) {
    const got = groupProgress(pulls);
    assert.equal(got.percent, percent, `${name}: percent`);
    assert.equal(got.worst, worst, `${name}: worst`);
  }
});

test('outcomes order failed > stalled > pulling > done', () => {
  assert.equal(outcomeOf('completed'), 'done');
  assert.equal(worseOutcome('done', 'failed'), 'failed');
  assert.equal(worseOutcome('stalled', 'pulling'), 'stalled');
  assert.equal(worseOutcome('pulling', 'done'), 'pulling');
});
