// Folds one reported pull into the server's record: layer bytes that never decrease, layer
// states, names. Returns the layer transitions so the tracker can publish them; no I/O here.
// The work is linear in the reported layers: the pull's layers become those of this report (a
// report is the node's full snapshot), and totals are summed once at the end.
import type { LayerState, ReportLayer } from '../../model/index.js';
import { isPlaceholderImageRef } from './placeholderImageRef.js';
import { type LayerRecord, newLayer, type PullRecord, refreshTotals } from './pullRecord.js';
import type { ReportGroup } from './reportGrouping.js';

export interface LayerTransition {
  type: 'layer.started' | 'layer.progress' | 'layer.completed';
  layer: LayerRecord;
}

export interface MergeResult {
  /** anything a viewer would see changed */
  changed: boolean;
  transitions: LayerTransition[];
}

export function mergeReportGroup(rec: PullRecord, g: ReportGroup, now: number): MergeResult {
  const transitions: LayerTransition[] = [];
  let changed = false;
  if (g.imageRef && g.imageRef !== rec.imageRef && betterName(g.imageRef, rec.imageRef)) {
    rec.imageRef = g.imageRef;
    changed = true;
  }
  if (g.manifestDigest && !rec.manifestDigest) rec.manifestDigest = g.manifestDigest;
  if (g.totalKnown !== rec.totalKnown) {
    rec.totalKnown = g.totalKnown;
    changed = true;
  }
  const layers = new Map<string, LayerRecord>();
  for (const rl of g.layers) {
    let l = rec.layers.get(rl.digest);
    if (!l) {
      l = newLayer(rl.digest);
      changed = true;
    }
    layers.set(rl.digest, l);
    if (mergeLayer(l, rl, now, transitions)) changed = true;
  }
  if (layers.size !== rec.layers.size) {
    changed = true;
  }
  rec.layers = layers;
  refreshTotals(rec);
  return { changed, transitions };
}

function mergeLayer(l: LayerRecord, rl: ReportLayer, now: number, transitions: LayerTransition[]): boolean {
  l.shown = undefined;
  let changed = false;
  if (rl.mediaType && rl.mediaType !== l.mediaType) {
    l.mediaType = rl.mediaType;
    changed = true;
  }
  const known = rl.totalKnown ?? rl.totalBytes > 0;
  if (rl.totalBytes !== l.totalBytes && (known || rl.totalBytes > l.totalBytes)) {
    l.totalBytes = rl.totalBytes;
    changed = true;
  }
  l.totalKnown = known;
  // A provisional digest was the agent's attribution of some bytes: when it moves to another
  // blob (the bytes were another layer's), this layer's bytes and state follow the report back.
  const reattributed = l.digestProvisional === true && l.state !== 'done' && rl.downloadedBytes < l.downloadedBytes;
  if ((rl.digestProvisional === true) !== (l.digestProvisional === true)) {
    l.digestProvisional = rl.digestProvisional === true ? true : undefined;
    changed = true;
  }
  const down = l.totalKnown ? Math.min(rl.downloadedBytes, l.totalBytes) : rl.downloadedBytes;
  const grew = down > l.downloadedBytes;
  if (grew || reattributed) l.downloadedBytes = down;
  if (reattributed) {
    changed = true;
    if (rl.state === 'waiting') l.state = 'waiting';
  }
  const state = nextLayerState(l, rl);
  if (state === 'done' && l.state !== 'done') {
    markLayerDone(l, now);
    transitions.push({ type: 'layer.completed', layer: l });
    return true;
  }
  const started = state === 'downloading' && l.state === 'waiting';
  if (state !== l.state) {
    l.state = state;
    changed = true;
  }
  if (started) {
    l.startedAt = now;
    transitions.push({ type: 'layer.started', layer: l });
  }
  l.rate.add(now, l.downloadedBytes);
  if (grew) {
    changed = true;
    if (!started && l.state === 'downloading') transitions.push({ type: 'layer.progress', layer: l });
  }
  return changed;
}

export function markLayerDone(l: LayerRecord, now: number): void {
  l.shown = undefined;
  l.state = 'done';
  if (l.totalKnown || l.totalBytes > 0) l.downloadedBytes = l.totalBytes;
  l.startedAt ??= now;
  l.completedAt = now;
  l.rate.add(now, l.downloadedBytes);
}

/** The agent's state when it sends one; else derived from the bytes. A layer never goes back. */
export function nextLayerState(l: LayerRecord, rl: ReportLayer): LayerState {
  if (l.state === 'done') return 'done';
  if (rl.state) return rl.state === 'waiting' && l.state === 'downloading' ? 'downloading' : rl.state;
  if (l.totalKnown && l.totalBytes > 0 && l.downloadedBytes >= l.totalBytes) return 'done';
  return l.downloadedBytes > 0 ? 'downloading' : l.state;
}

/** A real image name beats a bare digest or an ingest ref; a name with a tag beats a bare repository. */
export function betterName(candidate: string, current: string): boolean {
  if (isPlaceholderImageRef(current)) return true;
  if (isPlaceholderImageRef(candidate)) return false;
  return /[:@][^/]*$/.test(candidate) || !/[:@][^/]*$/.test(current);
}
