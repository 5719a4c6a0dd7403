import type { LayerStatus, PullStatus } from './types.js';

const FINAL = new Set(['completed', 'failed']);

/**
 * Combines what we hold for a pull with a newer view of it. Events and refetched snapshots can
 * arrive out of order around a reconnect, so a finished pull never goes back to "pulling" (a
 * re-pull is a new id; a `pull.resumed` event, passed as `resumed`, is the exception) and byte
 * counts never go backwards. Summary events (`layers=0`) keep the
 * layers we already hold.
 */
export function mergePull(prev: PullStatus | undefined, next: PullStatus, resumed = false): PullStatus {
  if (!prev) return next;
  // The one way back from a final state: the server failed the pull because its node went silent,
  // and the node reported it again (`pull.resumed`, same id).
  const stale = resumed
    ? false
    : (FINAL.has(prev.status) && !FINAL.has(next.status)) || (!FINAL.has(next.status) && next.downloadedBytes < prev.downloadedBytes);
  // A stale view can still bring the layer list we asked for; layer events keep it current from here.
  if (stale) return prev.layers === undefined && next.layers !== undefined ? { ...prev, layers: next.layers } : prev;
  if (next.layers === undefined && prev.layers !== undefined) return { ...next, layers: prev.layers };
  return next;
}

/** Puts a layer update into a pull whose layer list we hold; a pull without a list stays as is. */
export function mergeLayer(pull: PullStatus, layer: LayerStatus): PullStatus {
  if (!pull.layers) return pull;
  const index = pull.layers.findIndex((l) => l.digest === layer.digest);
  const layers = pull.layers.slice();
  if (index < 0) layers.push(layer);
  else {
    const old = layers[index]!;
    if (layer.downloadedBytes < old.downloadedBytes && layer.state !== 'cached') return pull;
    layers[index] = layer;
  }
  return { ...pull, layers };
}
