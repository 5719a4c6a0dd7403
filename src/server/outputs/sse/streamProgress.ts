// Whether an event stream is still reading, judged from its socket alone: how many bytes it has
// taken so far and how many still wait to be taken. A stream that takes nothing while data waits
// is stalled from the first look that saw it so; any byte taken starts the count again, and a
// stream with nothing waiting is not stalled, however long it has been idle.

export interface StreamProgress {
  /** bytes the socket had taken (handed to the kernel) at the last look */
  taken: number;
  /** when data was first seen waiting with no byte taken since; 0 when not stalled */
  stalledSince: number;
}

export const NOT_STALLED: StreamProgress = { taken: 0, stalledSince: 0 };

/** The progress after one look at the socket: `waiting` bytes not yet taken, `taken` so far, at `now`. */
export function lookAtStream(prev: StreamProgress, waiting: number, taken: number, now: number): StreamProgress {
  if (waiting === 0) return prev.stalledSince === 0 && prev.taken === taken ? prev : { taken, stalledSince: 0 };
  if (taken !== prev.taken || prev.stalledSince === 0) return { taken, stalledSince: now };
  return prev;
}

/** How long the stream has taken nothing while data waited (0 when it is not stalled). */
export function stalledFor(p: StreamProgress, now: number): number {
  return p.stalledSince === 0 ? 0 : now - p.stalledSince;
}
