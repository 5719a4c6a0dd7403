// A stand-in for a CRI-O node's image pulls: CRI-O pulls with containers/image into
// containers/storage, and skopeo is the same library, so `skopeo copy docker://… containers-storage:…`
// writes the folders, files, blob-info cache rows and storage JSON a CRI-O pull writes
// (docs/agent.md, "CRI-O"). Each pull runs in a private mount namespace with this node's own
// folders bind-mounted over /var/tmp and /var/lib/containers/cache (skopeo run as root has no
// option that moves its cache), so tests stay isolated from the machine and from each other.
//
// Two skopeo builds: Debian sid's 1.22 (containers/image 5.39: `container_images_storage<random>`
// folders, a SQLite cache), fetched by scripts/provision/crio-skopeo.sh, and bookworm's own 1.9.3
// (the layout before CRI-O 1.29: `storage<random>` folders, a boltdb cache).
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type ManagedProcess, startProcess } from './processes.js';
import { makeTempDir, removeDir } from './tempDir.js';

export type SkopeoBuild = 'sid' | 'bookworm';

/** Same variable and default as the provisioning script. */
export function skopeoCacheDir(): string {
  return process.env.PULLTRACE_SKOPEO_CACHE || '/var/cache/pulltrace/skopeo';
}

/** The skopeo binary of a build; throws (naming the script that fetches it) when it is not there. */
export function skopeoBinary(build: SkopeoBuild): string {
  const path = build === 'bookworm' ? '/usr/bin/skopeo' : join(skopeoCacheDir(), 'sid', 'usr', 'bin', 'skopeo');
  if (!existsSync(path)) {
    throw new Error(
      build === 'bookworm'
        ? 'skopeo 1.9.3 is not in /usr/bin (Debian package skopeo; node scripts/provision.mjs installs it)'
        : `skopeo 1.22 is not in ${path} (run scripts/provision/crio-skopeo.sh as root, or set PULLTRACE_SKOPEO_CACHE)`,
    );
  }
  return path;
}

/** The mount point the pulls' private cache folder covers; created by the provisioning script. */
export const SYSTEM_CACHE_DIR = '/var/lib/containers/cache';

export interface CrioNode {
  /** what CRI-O's big_files_temporary_dir would be (bind-mounted over /var/tmp during a pull) */
  tmpDir: string;
  /** containers/storage graph root */
  storageRoot: string;
  runRoot: string;
  /** the blob-info cache folder (bind-mounted over /var/lib/containers/cache during a pull) */
  cacheDir: string;
  /** start a pull of `ref` (plain-HTTP registry) into this node's storage; the caller stops or awaits it */
  pull(ref: string, opts?: { build?: SkopeoBuild }): ManagedProcess;
  /** stop nothing (pulls are the caller's), remove the folders */
  remove(): Promise<void>;
}

export async function makeCrioNode(): Promise<CrioNode> {
  if (!existsSync(SYSTEM_CACHE_DIR)) {
    throw new Error(`${SYSTEM_CACHE_DIR} does not exist (the mount point is made by scripts/provision/crio-skopeo.sh, as root)`);
  }
  const dir = await makeTempDir('crio');
  const node = {
    tmpDir: join(dir, 'var-tmp'),
    storageRoot: join(dir, 'storage'),
    runRoot: join(dir, 'run'),
    cacheDir: join(dir, 'cache'),
  };
  for (const d of Object.values(node)) await mkdir(d, { recursive: true });
  return {
    ...node,
    pull(ref, opts = {}) {
      const skopeo = skopeoBinary(opts.build ?? 'sid');
      const dest = `containers-storage:[vfs@${node.storageRoot}+${node.runRoot}]${ref}`;
      // `exec`: the process the test holds (and stops by PID) is skopeo itself.
      const script = [
        `mount --bind ${quote(node.tmpDir)} /var/tmp`,
        `mount --bind ${quote(node.cacheDir)} ${SYSTEM_CACHE_DIR}`,
        `exec ${quote(skopeo)} --insecure-policy copy --quiet --src-tls-verify=false ${quote(`docker://${ref}`)} ${quote(dest)}`,
      ].join(' && ');
      return startProcess('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { name: `skopeo pull ${ref}` });
    },
    remove: () => removeDir(dir),
  };
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
