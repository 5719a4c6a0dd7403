import { mergeLayer, mergePull } from '../../../src/pulls/index.js';
import type { LayerStatus, PullEvent, PullStatus } from '../state/types.js';

/** Monotonic milliseconds, the clock replaceAll compares against. */
export function now(): number {
  return performance.now();
}

export interface StoreSnapshot {
  /** bumps on every applied batch, so memoized views know when to recompute */
  version: number;
  pulls: ReadonlyMap<string, PullStatus>;
}

/**
 * Live pulls by id. Incoming events are queued and applied once per animation frame, and the
 * queue keeps only the latest update per pull and per layer: with 1,000 pulls reporting every
 * second the page renders once per frame, and a hidden tab (no frames) holds a bounded queue.
 */
export class PullStore {
  private pulls = new Map<string, PullStatus>();
  private pendingPulls = new Map<string, PullStatus>();
  private pendingLayers = new Map<string, LayerStatus>();
  /** pulls queued from a `pull.resumed` event: they may leave a final state */
  private pendingResumed = new Set<string>();
  private snapshot: StoreSnapshot = { version: 0, pulls: this.pulls };
  /** when an event last changed each pull (now() clock), for replaceAll */
  private touched = new Map<string, number>();
  private listeners = new Set<() => void>();
  private frame: number | undefined;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): StoreSnapshot => this.snapshot;

  /** Queues one SSE event. */
  enqueue(event: PullEvent): void {
    if (event.pull) {
      const resumed = event.type === 'pull.resumed';
      if (resumed) this.pendingResumed.add(event.pull.id);
      const queued = this.pendingPulls.get(event.pull.id);
      this.pendingPulls.set(event.pull.id, queued ? mergePull(queued, event.pull, resumed) : event.pull);
    }
    if (event.layer) this.pendingLayers.set(`${event.layer.pullId}\n${event.layer.digest}`, event.layer);
    this.schedule();
  }

  /**
   * Replaces the state with a list fetched from the server. `requestedAt` (a `now()` reading taken
   * before the request) decides what the list can speak for: a pull it lacks is dropped unless an
   * event touched it after the request went out (it started meanwhile), and pulls it has are merged
   * with what we hold, so an event that overtook the response is not rolled back.
   */
  replaceAll(pulls: PullStatus[], requestedAt: number): void {
    this.flush();
    const next = new Map<string, PullStatus>();
    for (const pull of pulls) next.set(pull.id, mergePull(this.pulls.get(pull.id), pull));
    for (const [id, pull] of this.pulls) {
      if (!next.has(id) && (this.touched.get(id) ?? Number.NEGATIVE_INFINITY) > requestedAt) next.set(id, pull);
    }
    for (const id of this.touched.keys()) if (!next.has(id)) this.touched.delete(id);
    this.pulls = next;
    this.publish();
  }

  /** Stores one pull fetched on its own (with layers), e.g. when its row is expanded. */
  put(pull: PullStatus): void {
    this.pulls.set(pull.id, mergePull(this.pulls.get(pull.id), pull));
    this.publish();
  }

  get(id: string): PullStatus | undefined {
    return this.pulls.get(id);
  }

  private schedule(): void {
    if (this.frame !== undefined) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined;
      this.flush();
    });
  }

  private flush(): void {
    if (this.frame !== undefined) {
      cancelAnimationFrame(this.frame);
      this.frame = undefined;
    }
    if (this.pendingPulls.size === 0 && this.pendingLayers.size === 0) return;
    const at = now();
    for (const [id, pull] of this.pendingPulls) {
      this.pulls.set(id, mergePull(this.pulls.get(id), pull, this.pendingResumed.has(id)));
      this.touched.set(id, at);
    }
    this.pendingResumed.clear();
    for (const layer of this.pendingLayers.values()) {
      const pull = this.pulls.get(layer.pullId);
      if (pull) this.pulls.set(layer.pullId, mergeLayer(pull, layer));
    }
    this.pendingPulls.clear();
    this.pendingLayers.clear();
    this.publish();
  }

  private publish(): void {
    this.snapshot = { version: this.snapshot.version + 1, pulls: this.pulls };
    for (const listener of this.listeners) listener();
  }
}
