// The pulls a watch knows, kept current from the event stream. Reads pulls from any server
// version: unknown statuses count as active, unknown fields ride along untouched.
import type { LayerStatus, PullEvent, PullStatus } from '../model/index.js';
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

export function isFinished(status: string): boolean {
  return status === 'completed' || status === 'failed';
}

export class PullTable {
  readonly pulls = new Map<string, WatchedPull>();

  /** Puts a pull from the list endpoint or an event; layer arrays already known are kept when the new state has none. */
  put(pull: WatchedPull, type = 'pull.progress'): PullChange {
    const previous = this.pulls.get(pull.id);
    const next = !pull.layers && previous?.layers ? { ...pull, layers: previous.layers } : pull;
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
      if (owner?.layers) {
        const layers = owner.layers.map((l) => (l.digest === layer.digest ? layer : l));
        this.pulls.set(owner.id, { ...owner, layers });
      }
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

/** The server's filter rules (substring, case-insensitive; status exact), applied again on the client. */
export function matchesFilters(pull: WatchedPull, filters: WatchFilters): boolean {
  if (filters.status && !matchesStatus(pull.status, filters.status)) return false;
  if (filters.cluster && (pull.cluster ?? 'default') !== filters.cluster) return false;
  if (!contains(pull.nodeName, filters.node)) return false;
  if (!contains(pull.imageRef, filters.image)) return false;
  const pods = Array.isArray(pull.pods) ? pull.pods : [];
  if (filters.namespace && !pods.some((p) => contains(p.namespace, filters.namespace))) return false;
  if (filters.pod && !pods.some((p) => contains(p.podName, filters.pod))) return false;
  return true;
}

/** `status` is a comma-separated list of exact statuses; `active` is every unfinished one. */
export function matchesStatus(status: string, wanted: string): boolean {
  const list = wanted.split(',');
  return list.includes(status) || (list.includes('active') && !isFinished(status));
}

/** The live screen's `/` filter: any of node, image, pod or namespace contains the text. */
export function matchesText(pull: WatchedPull, text: string): boolean {
  if (!text) return true;
  if (contains(pull.nodeName, text) || contains(pull.imageRef, text)) return true;
  const pods = Array.isArray(pull.pods) ? pull.pods : [];
  return pods.some((p) => contains(p.podName, text) || contains(p.namespace, text));
}

function contains(value: string | undefined, needle: string): boolean {
  return needle === '' || (value ?? '').toLowerCase().includes(needle.toLowerCase());
}
