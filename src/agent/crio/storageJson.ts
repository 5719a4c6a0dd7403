// containers/storage's JSON records, as CRI-O leaves them under its graph root:
// `<driver>-images/images.json` (an image appears when its pull has committed everything),
// `<driver>-layers/layers.json` (layers by the digest of their compressed blob; `incomplete` while
// one is being committed) and an image's `manifest` (its big-data file). Parsed leniently: a
// field of another shape is skipped, never a reason to stop.

export interface StoredImage {
  id: string;
  /** the manifest digest */
  digest: string;
  names: string[];
}

export interface StoredLayers {
  /** compressed blob digests of the layers in storage (complete ones) */
  complete: Set<string>;
  /** compressed blob digests of layers being committed (extracted) */
  incomplete: Set<string>;
}

export interface ManifestLayer {
  digest: string;
  size: number;
  mediaType?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

function parseArray(text: string): unknown[] {
  if (text.trim() === '') return [];
  const v = JSON.parse(text) as unknown;
  return Array.isArray(v) ? v : [];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export function parseImagesJson(text: string): StoredImage[] {
  const out: StoredImage[] = [];
  for (const v of parseArray(text)) {
    if (!isObject(v) || typeof v.id !== 'string') continue;
    const names = Array.isArray(v.names) ? v.names.filter((n): n is string => typeof n === 'string') : [];
    out.push({ id: v.id, digest: typeof v.digest === 'string' ? v.digest : '', names });
  }
  return out;
}

export function parseLayersJson(text: string): StoredLayers {
  const out: StoredLayers = { complete: new Set(), incomplete: new Set() };
  for (const v of parseArray(text)) {
    if (!isObject(v)) continue;
    const d = v['compressed-diff-digest'];
    if (typeof d !== 'string' || !DIGEST.test(d)) continue;
    (v.incomplete === true ? out.incomplete : out.complete).add(d);
  }
  return out;
}

/** The layers of an image manifest (OCI or Docker schema 2); empty for anything else (an index). */
export function parseManifestLayers(text: string): ManifestLayer[] {
  const v = JSON.parse(text) as unknown;
  if (!isObject(v) || !Array.isArray(v.layers)) return [];
  const out: ManifestLayer[] = [];
  for (const l of v.layers) {
    if (!isObject(l) || typeof l.digest !== 'string' || !DIGEST.test(l.digest)) continue;
    const size = typeof l.size === 'number' && Number.isSafeInteger(l.size) && l.size >= 0 ? l.size : 0;
    out.push({ digest: l.digest, size, ...(typeof l.mediaType === 'string' ? { mediaType: l.mediaType } : {}) });
  }
  return out;
}
