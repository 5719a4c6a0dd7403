// Temp directories under the system temp dir, short enough for unix socket paths (108 bytes).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function makeTempDir(prefix: string, parent = tmpdir()): Promise<string> {
  return mkdtemp(join(parent, `pt-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
