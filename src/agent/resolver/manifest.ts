// Parses an image manifest or index blob read from the content store into the few fields the
// agent needs: every blob's digest, size and media type, in manifest order.

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface ImageManifest {
  kind: 'manifest';
  config: Descriptor;
  layers: Descriptor[];
}

/** The platform an index entry is for (absent when the index does not say). */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface IndexEntry extends Descriptor {
  platform?: Platform;
}

export interface ImageIndex {
  kind: 'index';
  manifests: IndexEntry[];
}

export const INDEX_MEDIA_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];

export class ManifestError extends Error {}

/** Throws ManifestError naming what was wrong when the blob is neither a manifest nor an index. */
export function parseManifestBlob(data: Buffer | string, digest: string): ImageManifest | ImageIndex {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    throw new ManifestError(`blob ${digest} is not JSON`);
  }
  if (!isObject(doc)) throw new ManifestError(`blob ${digest} is not a JSON object`);
  if (Array.isArray(doc.manifests)) {
    return { kind: 'index', manifests: doc.manifests.map((d, i) => indexEntry(d, `${digest} manifests[${i}]`)) };
  }
  if (!Array.isArray(doc.layers) || doc.config === undefined) {
    throw new ManifestError(`blob ${digest} has neither "layers" and "config" (manifest) nor "manifests" (index)`);
  }
  return {
    kind: 'manifest',
    config: descriptor(doc.config, `${digest} config`),
    layers: doc.layers.map((d, i) => descriptor(d, `${digest} layers[${i}]`)),
  };
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw new ManifestError(`${where} is not an object`);
  const { mediaType, digest, size } = value;
  if (typeof digest !== 'string' || !digest.includes(':')) throw new ManifestError(`${where}.digest is missing or not a digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ManifestError(`${where}.size must be a non-negative integer`);
  }
  return { mediaType: typeof mediaType === 'string' ? mediaType : '', digest, size };
}

function indexEntry(value: unknown, where: string): IndexEntry {
  const entry: IndexEntry = descriptor(value, where);
  const p = (value as Record<string, unknown>).platform;
  // A malformed platform only means the entry's platform is unknown; the descriptor still counts.
  if (isObject(p) && typeof p.os === 'string' && typeof p.architecture === 'string') {
    entry.platform = { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) };
  }
  return entry;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
