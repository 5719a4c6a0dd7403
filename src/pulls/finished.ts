// Which pull states are final. A status a client does not know yet (from a newer server) counts as
// unfinished, so it is shown as running rather than hidden.
import type { PullState } from '../model/index.js';

/** States after which a pull never changes again (but for `pull.resumed`, same id). */
export const FINISHED_STATES: readonly PullState[] = ['completed', 'failed'];

export function isFinished(status: string): boolean {
  return status === 'completed' || status === 'failed';
}
