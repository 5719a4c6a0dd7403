// The one table of a pull's allowed status changes. Every change of `status` in the tracker goes
// through `move`, so a change the table does not allow is a bug caught where it happens, not a
// state a viewer later sees (a finished pull going back to pulling).
//   pulling ⇄ stalled            no bytes for PULLTRACE_STALL_TIMEOUT; bytes again
//   pulling | stalled → unpacking every blob on the node, containerd applies the layers
//   any unfinished → completed | failed
//   failed → pulling              only a pull failed for its node's silence, reported again (resumed)
import type { PullState } from '../../model/index.js';

export const ALLOWED_MOVES: Readonly<Record<PullState, readonly PullState[]>> = {
  pulling: ['stalled', 'unpacking', 'completed', 'failed'],
  stalled: ['pulling', 'unpacking', 'completed', 'failed'],
  unpacking: ['completed', 'failed'],
  completed: [],
  failed: ['pulling'],
};

export function canMove(from: PullState, to: PullState): boolean {
  return ALLOWED_MOVES[from].includes(to);
}

export class IllegalMoveError extends Error {
  constructor(
    readonly from: PullState,
    readonly to: PullState,
  ) {
    super(`a pull may not move from ${from} to ${to}`);
  }
}

/** Sets `status` to `to`; throws IllegalMoveError, changing nothing, when the table does not allow it. */
export function move(pull: { status: PullState }, to: PullState): void {
  if (!canMove(pull.status, to)) throw new IllegalMoveError(pull.status, to);
  pull.status = to;
}
