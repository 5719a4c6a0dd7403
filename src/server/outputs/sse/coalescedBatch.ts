// What a viewer is sent per flush: the newest state of each changed pull (and, for layer
// viewers, of each changed layer) once, and every lifecycle transition, in publication order.
// Progress is the only kind of event that may be replaced by a newer one; every other type
// (pull.started, pull.stalled, pull.completed, pull.failed, layer.started, layer.completed and
// any type added later) is a transition and is kept.
import type { PullEvent } from '../../../model/index.js';

/** An event as the hub holds it: its id, and its two serialized forms built once on demand. */
export interface HubEntry {
  id: number;
  event: PullEvent;
  /** the SSE message with layer arrays */
  full?: string;
  /** the SSE message without layer arrays (`layers=0`) */
  summary?: string;
}

const PROGRESS_TYPES = new Set(['pull.progress', 'layer.progress']);

export function isTransition(event: PullEvent): boolean {
  return !PROGRESS_TYPES.has(event.type);
}

/** The key under which a newer event replaces an older progress event of the same pull or layer. */
export function progressKey(event: PullEvent): string {
  const pullId = event.pull?.id ?? '';
  return event.layer ? `l:${pullId}/${event.layer.digest}` : `p:${pullId}`;
}

export class CoalescedBatch {
  // A Map iterates in insertion order; deleting and re-setting a key moves it to the end. Every
  // entry set is the newest published so far, so iteration order is id order.
  private readonly entries = new Map<string, HubEntry>();

  get size(): number {
    return this.entries.size;
  }

  /** Adds an entry, newer than every entry added before. Returns the entry it replaced, if any. */
  add(entry: HubEntry): HubEntry | undefined {
    const key = progressKey(entry.event);
    const replaced = this.entries.get(key);
    // A transition carries the pull's (or layer's) state at that moment, newer than a pending
    // progress of the same pull or layer: that progress is superseded, the transition kept.
    if (replaced) this.entries.delete(key);
    if (isTransition(entry.event)) this.entries.set(`t:${entry.id}`, entry);
    else this.entries.set(key, entry);
    return replaced;
  }

  /** The entries in id order. */
  list(): HubEntry[] {
    return [...this.entries.values()];
  }
}
