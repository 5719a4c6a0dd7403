// SSE event ids that every replica gives alike: events caused by applying the message at stream
// sequence `seq` — a report, a tick (natsReportLog.ts: stall, node timeout and slow decisions
// are taken at the log's ticks, with the tick's stream time) or a Kubernetes action (a kubelet
// failure or completion, kube/kubeAction.ts) — get ids OFFSET + seq × 1000 + 1,
// + 2, … in the order the tracker emits them. All replicas apply the same messages in stream order
// with the same times, so they emit the same events under the same ids, and a viewer that
// reconnects to another replica with Last-Event-ID resumes exactly where it was. OFFSET keeps
// these ids above the hub's own (wall-clock based) ids, so ids only grow.
// The hub numbers what no stream message caused: which pods wait on a pull (each replica's own watch), the
// timers of a replica that ticks on its own clock while the log is silent, and the events of one
// message past the 999th.

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
