// Rows of containers/image's blob-info cache (`KnownLocations`): written when a blob's response
// headers arrive, just before its file appears in the pull's folder, so they say which blob (and
// which repository) a new file probably is. "Probably": a blob whose headers came early and whose
// body comes late is numbered after blobs that overtook it, hence digests stay provisional until
// the finished file is hashed.

export interface BlobLocation {
  digest: string;
  /** registry host and repository, e.g. `quay.io/openshift/origin-cli` */
  repository: string;
  timeMs: number;
}

/**
 * The cache's `time` column: Go's time written by the SQLite driver, e.g.
 * `2026-12-07 23:29:00.204767982+00:00` (nanoseconds; Date keeps milliseconds).
 */
export function parseCacheTime(text: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?/.exec(text.trim());
  if (!m) return undefined;
  const frac = m[3] ? `.${m[3].slice(0, 3).padEnd(3, '0')}` : '';
  const t = Date.parse(`${m[1]}T${m[2]}${frac}${m[4] ?? 'Z'}`);
  return Number.isFinite(t) ? t : undefined;
}

/** `registry/repository` → the image reference the pull is of, as far as the cache knows. */
export function isRepositoryOf(repository: string, imageName: string): boolean {
  return imageName.startsWith(`${repository}:`) || imageName.startsWith(`${repository}@`);
}
