// The layers of a finished pull as stored in history: one small array per layer instead of the full
// LayerStatus object. Field names were most of each row (a 20-layer pull: about 6 KB as objects),
// `pullId` repeats the row's id, and media types repeat across layers. Format 2 (format 1 is the
// plain LayerStatus JSON array, still read for rows written before the migration):
//   {"m":[mediaType,…],"l":[[digest, mediaTypeIndex, totalBytes, downloadedBytes, state,
//                            percent, bytesPerSec, totalKnown(0|1), startedAtMs|null, completedAtMs|null, extra?], …]}
// `extra` keeps any other field a later release adds to LayerStatus, so nothing is lost.
import type { LayerStatus } from '../model/index.js';

/** `layers_format` of rows whose `layers` column is a plain LayerStatus JSON array. */
export const LAYERS_FORMAT_FULL = 1;
/** `layers_format` of rows written in the compact form above. */
export const LAYERS_FORMAT_COMPACT = 2;

type CompactLayer = [string, number, number, number, string, number, number, 0 | 1, number | null, number | null, Record<string, unknown>?];

interface CompactLayers {
  m: string[];
  l: CompactLayer[];
}

const KNOWN = new Set([
  'pullId',
  'digest',
  'mediaType',
  'totalBytes',
  'downloadedBytes',
  'state',
  'percent',
  'bytesPerSec',
  'totalKnown',
  'startedAt',
  'completedAt',
]);

/** A time as milliseconds when that round-trips exactly (the tracker writes toISOString), else null. */
const exactMs = (t: string | null | undefined): number | null => {
  if (!t) return null;
  const ms = Date.parse(t);
  return Number.isFinite(ms) && new Date(ms).toISOString() === t ? ms : null;
};

export function encodeLayers(layers: LayerStatus[]): string {
  const mediaTypes: string[] = [];
  const index = new Map<string, number>();
  const l = layers.map((layer): CompactLayer => {
    let m = index.get(layer.mediaType);
    if (m === undefined) {
      m = mediaTypes.push(layer.mediaType) - 1;
      index.set(layer.mediaType, m);
    }
    const row: CompactLayer = [
      layer.digest,
      m,
      layer.totalBytes,
      layer.downloadedBytes,
      layer.state,
      layer.percent,
      layer.bytesPerSec,
      layer.totalKnown ? 1 : 0,
      exactMs(layer.startedAt),
      exactMs(layer.completedAt),
    ];
    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(layer)) if (!KNOWN.has(k) && v !== undefined) extra[k] = v;
    // Times kept as they were when milliseconds would not give them back exactly; null (a layer
    // not finished) differs from an absent completedAt.
    if (layer.startedAt !== undefined && row[8] === null) extra.startedAt = layer.startedAt;
    if (layer.completedAt !== undefined && row[9] === null) extra.completedAt = layer.completedAt;
    if (Object.keys(extra).length > 0) row.push(extra);
    return row;
  });
  const out: CompactLayers = { m: mediaTypes, l };
  return JSON.stringify(out);
}

export function decodeLayers(text: string, format: number, pullId: string): LayerStatus[] {
  if (format === LAYERS_FORMAT_FULL) return JSON.parse(text) as LayerStatus[];
  if (format !== LAYERS_FORMAT_COMPACT) throw new Error(`history row ${pullId}: unknown layers format ${format}`);
  const doc = JSON.parse(text) as CompactLayers;
  return doc.l.map(([digest, m, totalBytes, downloadedBytes, state, percent, bytesPerSec, totalKnown, started, completed, extra]) => {
    const layer = {
      pullId,
      digest,
      mediaType: doc.m[m] ?? '',
      totalBytes,
      downloadedBytes,
      bytesPerSec,
      percent,
      totalKnown: totalKnown === 1,
      state,
    } as LayerStatus;
    if (started !== null) layer.startedAt = new Date(started).toISOString();
    if (completed !== null) layer.completedAt = new Date(completed).toISOString();
    if (extra) Object.assign(layer, extra);
    return layer;
  });
}
