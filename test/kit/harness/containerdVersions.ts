// Which containerd binaries a test runs: Debian bookworm's 1.6 (installed), trixie's 1.7 and sid's
// 2.x, extracted by scripts/provision/containerd-versions.sh into a cache folder (nothing
// installed system-wide) and selected here by path. A missing version is an error naming the
// script, never a skipped test.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CONTAINERD_SERIES = ['1.6', '1.7', '2.x'] as const;
export type ContainerdSeries = (typeof CONTAINERD_SERIES)[number];

export interface ContainerdBinaries {
  series: ContainerdSeries;
  containerd: string;
  ctr: string;
}

/** Same variable and default as the provisioning script. */
export function containerdCacheDir(): string {
  return process.env.PULLTRACE_CONTAINERD_CACHE || '/var/cache/pulltrace/containerd';
}

/** The binaries of one series; throws (with the command that fetches them) when they are not there. */
export function containerdBinaries(series: ContainerdSeries): ContainerdBinaries {
  const bin = join(containerdCacheDir(), series, 'usr', 'bin');
  const found = { series, containerd: join(bin, 'containerd'), ctr: join(bin, 'ctr') };
  if (existsSync(found.containerd) && existsSync(found.ctr)) return found;
  // 1.6 is Debian bookworm's own package, installed system-wide by the test provisioning.
  if (series === '1.6' && existsSync('/usr/bin/containerd') && existsSync('/usr/bin/ctr')) {
    return { series, containerd: '/usr/bin/containerd', ctr: '/usr/bin/ctr' };
  }
  throw new Error(
    `containerd ${series} is not in ${bin} (run scripts/provision/containerd-versions.sh as root, or set PULLTRACE_CONTAINERD_CACHE)`,
  );
}
