// What containerd's content labels and image records say about where a blob came from.

export const DISTRIBUTION_SOURCE_PREFIX = 'containerd.io/distribution.source.';

/**
 * `registry/repository` from a `containerd.io/distribution.source.<host>=<repo>[,<repo>…]` label.
 * containerd drops the registry port from the key (`127.0.0.1:5000` → `127.0.0.1`), so this is not a
 * pullable reference — only the best name until the image record appears.
 */
export function distributionRepository(labels: Record<string, string>): string | undefined {
  const keys = Object.keys(labels)
    .filter((k) => k.startsWith(DISTRIBUTION_SOURCE_PREFIX))
    .sort();
  for (const key of keys) {
    const host = key.slice(DISTRIBUTION_SOURCE_PREFIX.length);
    const repo = (labels[key] ?? '').split(',')[0]?.trim();
    if (host && repo) return `${host}/${repo}`;
  }
  return undefined;
}

/**
 * The name to show among the image records pointing at one pull's target. CRI writes up to three
 * (`repo:tag`, `repo@sha256:…`, `sha256:<config>`); the tag is what the user asked for.
 */
export function preferredImageName(names: string[]): string | undefined {
  const rank = (n: string) => (/^sha256:/.test(n) ? 2 : n.includes('@') ? 1 : 0);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))[0];
}
