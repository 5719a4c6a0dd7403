// The table of allowed status changes, every pair of states.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullState } from '../../model/index.js';
import { ALLOWED_MOVES, canMove, IllegalMoveError, move } from './pullTransitions.js';

const STATES: PullState[] = ['pulling', 'stalled', 'unpacking', 'completed', 'failed'];
const ALLOWED = new Set([
  'pulling→stalled',
  'pulling→unpacking',
  'pulling→completed',
  'pulling→failed',
  'stalled→pulling',
  'stalled→unpacking',
  'stalled→completed',
  'stalled→failed',
  'unpacking→completed',
  'unpacking→failed',
  'failed→pulling',
]);

test('every state is in the table', () => {
  assert.deepEqual(Object.keys(ALLOWED_MOVES).sort(), [...STATES].sort());
});

for (const from of STATES) {
  for (const to of STATES) {
    const allowed = ALLOWED.has(`${from}→${to}`);
    test(`${from} → ${to}: ${allowed ? 'allowed' : 'refused'}`, () => {
      assert.equal(canMove(from, to), allowed);
      const pull = { status: from };
      if (allowed) {
        move(pull, to);
        assert.equal(pull.status, to);
      } else {
        assert.throws(() => move(pull, to), IllegalMoveError);
        assert.equal(pull.status, from, 'a refused move changes nothing');
      }
    });
  }
}
