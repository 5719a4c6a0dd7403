// containerd list filters (`<fieldpath>==<value>`; several strings are OR-ed) for the agent's queries.

export const GC_CONFIG_LABEL = 'containerd.io/gc.ref.content.config';
export const gcLayerLabel = (n: number) => `containerd.io/gc.ref.content.l.${n}`;
export const gcManifestLabel = (n: number) => `containerd.io/gc.ref.content.m.${n}`;

/** Layer labels searched per digest: images stay below overlayfs' 128-layer limit. */
export const MAX_LAYER_LABELS = 128;
/** Manifest labels searched per index (platforms of one index). */
export const MAX_INDEX_MANIFESTS = 64;

const quote = (value: string) => JSON.stringify(value);
const labelEquals = (key: string, value: string) => `labels.${quote(key)}==${quote(value)}`;

/** Manifests that name any of these blobs as their config or a layer (containerd labels them before fetching children). */
export function manifestsNamingFilters(digests: string[], maxLayers = MAX_LAYER_LABELS): string[] {
  const out: string[] = [];
  for (const d of digests) {
    out.push(labelEquals(GC_CONFIG_LABEL, d));
    for (let n = 0; n < maxLayers; n++) out.push(labelEquals(gcLayerLabel(n), d));
  }
  return out;
}

/**
 * Layer positions searched when looking again for later pulls sharing a blob. Shared blobs are base
 * layers, and containerd evaluates every filter against every blob it holds: keep this small.
 */
export const REDISCOVERY_LAYER_LABELS = 8;

/** Indexes that name this manifest as one of their platform manifests. */
export function indexesNamingFilters(manifestDigest: string, maxManifests = MAX_INDEX_MANIFESTS): string[] {
  const out: string[] = [];
  for (let n = 0; n < maxManifests; n++) out.push(labelEquals(gcManifestLabel(n), manifestDigest));
  return out;
}

/** Blobs with exactly these digests. */
export function digestFilters(digests: string[]): string[] {
  return digests.map((d) => `digest==${quote(d)}`);
}

/** Image records whose target is one of these digests. */
export function imageTargetFilters(digests: string[]): string[] {
  return digests.map((d) => `target.digest==${quote(d)}`);
}
