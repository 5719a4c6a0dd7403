const DEFAULT_REGISTRY_PREFIXES = ['docker.io/library/', 'docker.io/'];

/**
 * A reference a person can scan in a narrow column: the implied Docker Hub prefix goes,
 * digests are cut to 12 hex characters, and long repository paths keep their registry and
 * last segment (the full reference stays available on hover).
 */
export function shortImageRef(ref: string, maxLength = 48): string {
  let short = ref;
  for (const prefix of DEFAULT_REGISTRY_PREFIXES) {
    if (short.startsWith(prefix)) {
      short = short.slice(prefix.length);
      break;
    }
  }
  short = short.replace(/@(sha256|sha512):([0-9a-f]{12})[0-9a-f]+/i, '@$1:$2…');
  if (short.length <= maxLength) return short;

  const slash = short.indexOf('/');
  const lastSlash = short.lastIndexOf('/');
  if (slash > 0 && lastSlash > slash) {
    const compact = `${short.slice(0, slash)}/…${short.slice(lastSlash)}`;
    if (compact.length <= maxLength) return compact;
    short = short.slice(lastSlash + 1);
    if (short.length <= maxLength) return short;
  }
  return `${short.slice(0, maxLength - 1)}…`;
}
