// The body of /api/v1/pulls, built and sent a slice at a time. 50,000 pulls with their layers are
// tens of megabytes of JSON: built at once, they held the event loop for seconds (ingest and
// /healthz waited). Here each slice takes at most SLICE_MS, and the loop serves I/O before the next
// slice of any answer (sliceTurns.ts).
import type { PullStatus } from '../../model/index.js';
import { nextSliceTurn } from './sliceTurns.js';

/** Most time one slice of the body may take before the event loop gets a turn. */
export const SLICE_MS = 10;
/** Most text one slice holds (the socket takes it before the next is built). */
const SLICE_CHARS = 256 * 1024;

export interface PullsJsonSource {
  /** the pulls chosen for this answer, in order (read as the body is built: it may fetch them a page at a time) */
  ids: Iterable<string>;
  /** a pull as it is now; undefined once it has left the live view (it is then left out) */
  status(id: string): PullStatus | undefined;
  /** whether it still matches the request's filter (its state may change while the body is built) */
  matches(pull: PullStatus): boolean;
  /** with `limit`: the next page's cursor, null on the last page; absent without `limit` (the v1 shape) */
  next?: string | null;
}

/** `{"pulls":[…]}` (and `"next"` when paged), each pull as it is when its slice is built. */
export async function* pullsJson(source: PullsJsonSource, clock: () => number = () => performance.now()): AsyncGenerator<string> {
  let text = '{"pulls":[';
  let first = true;
  let sliceStart = clock();
  for (const id of source.ids) {
    const pull = source.status(id);
    if (!pull || !source.matches(pull)) continue;
    text += first ? JSON.stringify(pull) : `,${JSON.stringify(pull)}`;
    first = false;
    if (text.length >= SLICE_CHARS || clock() - sliceStart >= SLICE_MS) {
      yield text;
      text = '';
      await nextSliceTurn();
      sliceStart = clock();
    }
  }
  text += source.next === undefined ? ']}' : `],"next":${JSON.stringify(source.next)}}`;
  yield text;
}
