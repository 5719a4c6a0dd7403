// The one place pull changes are published. SSE, logs, metrics and the history store
// subscribe; the tracker knows none of them.
import type { PullEvent } from '../../model/index.js';

export type PullEventListener = (event: PullEvent) => void;

/** Told when a listener threw; the event still reached every other listener. */
export type ListenerErrorHandler = (err: unknown, event: PullEvent) => void;

export class PullEventBus {
  private readonly listeners = new Set<PullEventListener>();

  /**
   * `onListenerError`: a listener that throws is reported here instead of to the publisher. The
   * tracker publishes in the middle of a report, a tick or a timer: one subscriber's failure (a
   * metric, a history row) must neither leave the tracker half-updated nor end the process.
   */
  constructor(private readonly onListenerError: ListenerErrorHandler = () => {}) {}

  subscribe(listener: PullEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: PullEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }
}
