// The one place pull changes are published. SSE, logs, metrics and the history store
// subscribe; the tracker knows none of them.
import type { PullEvent } from '../../model/index.js';

export type PullEventListener = (event: PullEvent) => void;

export class PullEventBus {
  private readonly listeners = new Set<PullEventListener>();

  subscribe(listener: PullEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: PullEvent): void {
    for (const l of this.listeners) l(event);
  }
}
