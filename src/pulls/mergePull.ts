// What may replace a pull a client holds. Events and refetched snapshots can arrive out of order
// around a reconnect, so a finished pull never goes back to "pulling" (a re-pull is a new id; a
// `pull.resumed` event, passed as `resumed`, is the exception) and byte counts never go backwards.
// The web UI and `pulltrace watch` both keep their pulls by these rules.
import { isFinished } from './finished.js';

/** The parts of a pull the merge rules look at (a PullStatus, or a client's view of one). */
export interface MergeablePull<L extends MergeableLayer = MergeableLayer> {
  status: string;
  downloadedBytes: number;
  layers?: L[] | undefined;
}

export interface MergeableLayer {
  digest: string;
  downloadedBytes: number;
  state: string;
}

/** true when `next` is an older view than `prev` and must not replace it. */
export function isStaleUpdate(prev: MergeablePull, next: MergeablePull, resumed = false): boolean {
  // The one way back from a final state: the server failed the pull because its node went silent,
  // and the node reported it again (`pull.resumed`, same id).
  if (resumed) return false;
  if (isFinished(next.status)) return false;
  return isFinished(prev.status) || next.downloadedBytes < prev.downloadedBytes;
}

/**
 * Combines what we hold for a pull with a newer view of it, by the rules above. Summary events
 * (`layers=0`) keep the layers we already hold.
 */
export function mergePull<P extends MergeablePull>(prev: P | undefined, next: P, resumed = false): P {
  if (!prev) return next;
  // A stale view can still bring the layer list we asked for; layer events keep it current from here.
  if (isStaleUpdate(prev, next, resumed))
    return prev.layers === undefined && next.layers !== undefined ? { ...prev, layers: next.layers } : prev;
  if (next.layers === undefined && prev.layers !== undefined) return { ...next, layers: prev.layers };
  return next;
}

/** Puts a layer update into a pull whose layer list we hold; a pull without a list stays as is. */
export function mergeLayer<L extends MergeableLayer, P extends MergeablePull<L>>(pull: P, layer: L): P {
  if (!pull.layers) return pull;
  const index = pull.layers.findIndex((l) => l.digest === layer.digest);
  const layers = pull.layers.slice();
  if (index < 0) layers.push(layer);
  else {
    const old = layers[index] as L;
    if (layer.downloadedBytes < old.downloadedBytes && layer.state !== 'cached') return pull;
    layers[index] = layer;
  }
  return { ...pull, layers };
}
