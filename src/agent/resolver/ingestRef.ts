// containerd names an ingest after the blob it writes (remotes.MakeRefKey): a media-type prefix,
// an optional `<ref.name>@`, then the digest — never the image.

export type IngestKind = 'layer' | 'config' | 'manifest' | 'index' | 'attestation' | 'unknown';

export interface ParsedIngestRef {
  kind: IngestKind;
  digest: string;
}

const KINDS: IngestKind[] = ['layer', 'config', 'manifest', 'index', 'attestation', 'unknown'];
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/;

/** Parses `layer-sha256:<hex>` (or `manifest-<name>@sha256:<hex>`); undefined for refs of other writers. */
export function parseIngestRef(ref: string): ParsedIngestRef | undefined {
  const dash = ref.indexOf('-');
  if (dash <= 0) return undefined;
  const kind = ref.slice(0, dash) as IngestKind;
  if (!KINDS.includes(kind)) return undefined;
  const rest = ref.slice(dash + 1);
  const digest = rest.slice(rest.lastIndexOf('@') + 1);
  if (!DIGEST.test(digest)) return undefined;
  return { kind, digest };
}
