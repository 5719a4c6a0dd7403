// A Prometheus counter that mirrors a running total kept elsewhere (a store, the report log):
// at each scrape it is advanced by what the total grew since the last one.
import type { Counter } from 'prom-client';

/** A `collect` for a Counter that follows `total()` (which never decreases). */
export function monotonicCounter(total: () => number): (this: Counter) => void {
  let counted = 0;
  return function collect(this: Counter) {
    const now = total();
    if (now > counted) this.inc(now - counted);
    counted = Math.max(counted, now);
  };
}
