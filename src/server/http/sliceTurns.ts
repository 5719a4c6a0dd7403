// Turns of the event loop shared by every answer that is built a slice at a time (pullsJson.ts):
// one slice per turn, whoever it belongs to, in the order they asked. Ten readers of 50,000 pulls
// then cost the loop one slice between two rounds of I/O, not ten (each reader yielding on its own
// would put all ten slices in the same turn, and /healthz and reports would wait behind them).

const waiting: Array<() => void> = [];
let scheduled = false;

/** Resolves at a later turn of the event loop, after I/O has been served, when it is this caller's turn. */
export function nextSliceTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) schedule();
  });
}

function schedule(): void {
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    waiting.shift()?.();
    // Scheduled from inside an immediate, the next one runs in the next turn, after its I/O.
    if (waiting.length > 0) schedule();
  });
}
