// SSE event ids that every replica gives alike: events caused by applying the report at stream
// sequence `seq` get ids OFFSET + seq × 1000 + 1, + 2, … in the order the tracker emits them. All
// replicas apply the same reports in stream order, so they emit the same events under the same
// ids, and a viewer that reconnects to another replica with Last-Event-ID resumes exactly where it
// was. OFFSET keeps these ids above the hub's own (wall-clock based) ids, so ids only grow.
// Events not caused by a report (timers: stall, node timeout) get the hub's next id.

export const STREAM_EVENT_ID_OFFSET = 2e15;
export const EVENTS_PER_REPORT = 1000;

export class StreamEventIds {
  private base: number | undefined;
  private n = 0;

  /** Events from now until end() are caused by the report at stream sequence `seq`. */
  begin(seq: number): void {
    this.base = STREAM_EVENT_ID_OFFSET + seq * EVENTS_PER_REPORT;
    this.n = 0;
  }

  end(): void {
    this.base = undefined;
  }

  /** The id of the next event, or undefined (not from a report, or past EVENTS_PER_REPORT): the hub numbers it. */
  next(): number | undefined {
    if (this.base === undefined) return undefined;
    this.n++;
    return this.n < EVENTS_PER_REPORT ? this.base + this.n : undefined;
  }
}
