// Temp directories under the system temp dir, short enough for unix socket paths (108 bytes).
// Directories not removed by their owner are removed when the node process exits.
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atHarnessExit } from './processes.js';

const pending = new Set<string>();
let hookInstalled = false;

export async function makeTempDir(prefix: string, parent = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(parent, `pt-${prefix}-`));
  pending.add(dir);
  if (!hookInstalled) {
    hookInstalled = true;
    atHarnessExit(removePendingSync);
  }
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  pending.delete(dir);
}

function removePendingSync(): void {
  // Runs after every live harness process got SIGKILL; a dir a dying daemon still writes to may stay.
  for (const dir of pending) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // a dir still in use by a dying daemon: nothing more to do at exit
    }
  }
}
