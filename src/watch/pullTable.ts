// The pulls a watch knows, kept current from the event stream. Reads pulls from any server
// version: unknown statuses count as active, unknown fields ride along untouched.
import type { LayerStatus, PullEvent, PullStatus } from '../model/index.js';
import { containsText, isFinished, matchesFilter, mergeLayer, mergePull } from '../pulls/index.js';
import type { WatchFilters } from './watchOptions.js';

/** A pull as received; `status` may be one this client does not know yet. */
export type WatchedPull = Omit<PullStatus, 'status'> & {
  status: string;
  failureReason?: string;
  waitSeconds?: number;
  slow?: boolean;
  unpackStartedAt?: string;
};

export interface PullChange {
  pull: WatchedPull;
  previous: WatchedPull | undefined;
  type: string;
}

export type Verdict = 'waiting' | 'completed' | 'failed';

export { isFinished };

export class PullTable {
  readonly pulls = new Map<string, WatchedPull>();

  /**
   * Puts a pull from the list endpoint or an event, by the clients' merge rules (src/pulls): after a
   * reconnect a finished pull does not go back to pulling (but for `pull.resumed`) and bytes do not
   * go backwards; layer arrays already known are kept when the new state has none.
   */
  put(pull: WatchedPull, type = 'pull.progress'): PullChange {
    const previous = this.pulls.get(pull.id);
    const next = mergePull(previous, pull, type === 'pull.resumed');
    this.pulls.set(pull.id, next);
    return { pull: next, previous, type };
  }

  /** Applies one stream event; returns the pull it changed, if any. Layer events update a kept layer list. */
  apply(event: PullEvent | { type: string; pull?: unknown; layer?: unknown }): PullChange | undefined {
    const pull = event.pull as WatchedPull | undefined;
    if (pull && typeof pull.id === 'string') return this.put(pull, event.type);
    const layer = event.layer as LayerStatus | undefined;
    if (layer && typeof layer.pullId === 'string') {
      const owner = this.pulls.get(layer.pullId);
      if (owner) this.pulls.set(owner.id, mergeLayer(owner, layer));
    }
    return undefined;
  }

  setLayers(id: string, layers: LayerStatus[]): void {
    const pull = this.pulls.get(id);
    if (pull) this.pulls.set(id, { ...pull, layers });
  }

  matching(filters: WatchFilters, text = ''): WatchedPull[] {
    return [...this.pulls.values()].filter((p) => matchesFilters(p, filters) && matchesText(p, text));
  }
}

/** The server's filter rules (src/pulls: substring, case-insensitive; status exact), applied again on the client. */
export function matchesFilters(pull: WatchedPull, filters: WatchFilters): boolean {
  const { node, image, namespace, pod, cluster } = filters;
  // `status` is a comma-separated list of exact statuses; `active` is every unfinished one
  const status = filters.status ? filters.status.split(',') : undefined;
  return matchesFilter(pull, { node, image, namespace, pod, cluster, ...(status ? { status } : {}) });
}

/** The live screen's `/` filter: any of node, image, pod or namespace contains the text. */
export function matchesText(pull: WatchedPull, text: string): boolean {
  if (!text) return true;
  if (containsText(pull.nodeName, text) || containsText(pull.imageRef, text)) return true;
  const pods = Array.isArray(pull.pods) ? pull.pods : [];
  return pods.some((p) => containsText(p.podName, text) || containsText(p.namespace, text));
}
