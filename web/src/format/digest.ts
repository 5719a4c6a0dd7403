/** "sha256:0123456789abcdef…" → "0123456789ab", the length `docker` prints. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  const hex = colon >= 0 ? digest.slice(colon + 1) : digest;
  return hex.length > 12 ? hex.slice(0, 12) : hex;
}
