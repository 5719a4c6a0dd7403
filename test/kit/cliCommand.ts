// How tests run the `pulltrace` and `kubectl-pulltrace` commands: the built ones (bin/, over dist/)
// when dist/ is at least as new as every file of src/, else from source through tsx. `npm test`
// builds first, so the suite runs the shipped code and each start skips tsx's loader, which
// resolves every module (the Kubernetes client alone is ~800 files) through a hook: a server is up
// in well under half the time (measured on a loaded machine: 1.6–2.3 s against 3.9–11 s). A single test file run after an edit, without a build, still runs the source.
// PULLTRACE_TEST_CLI=source or =dist forces one (dist fails clearly if it is missing).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The newest modification time (ms) of any file under dir. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether dist/ was built from the current src/ (its entry point is newer than every source file). */
export function distIsFresh(repo = REPO): boolean {
  const built = join(repo, 'dist', 'cli', 'main.js');
  return existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(repo, 'src'));
}

/** Which one to run: the PULLTRACE_TEST_CLI override, else dist when fresh. */
export function cliSource(env: NodeJS.ProcessEnv = process.env, fresh: () => boolean = distIsFresh): 'dist' | 'source' {
  const forced = env.PULLTRACE_TEST_CLI;
  if (forced === 'dist' || forced === 'source') return forced;
  if (forced) throw new Error(`PULLTRACE_TEST_CLI must be "dist" or "source", not ${JSON.stringify(forced)}`);
  return fresh() ? 'dist' : 'source';
}

let chosen: 'dist' | 'source' | undefined;
function source(): 'dist' | 'source' {
  chosen ??= cliSource();
  if (chosen === 'dist' && !existsSync(join(REPO, 'dist', 'cli', 'main.js'))) {
    throw new Error('PULLTRACE_TEST_CLI=dist but dist/ is not built: run `npm run build:server` first');
  }
  return chosen;
}

/** Arguments for process.execPath that run `pulltrace` (before its own arguments). */
/** `from` overrides the choice (a benchmark that measures the built command, or the source). */
export function pulltraceArgs(from: 'dist' | 'source' = source()): string[] {
  return from === 'dist' ? [join(REPO, 'bin', 'pulltrace')] : ['--import', 'tsx', join(REPO, 'test', 'kit', 'cli.ts')];
}

/** Arguments for process.execPath that run `kubectl-pulltrace` (before its own arguments). */
export function kubectlPulltraceArgs(): string[] {
  return source() === 'dist' ? [join(REPO, 'bin', 'kubectl-pulltrace')] : ['--import', 'tsx', join(REPO, 'test', 'kit', 'kubectlCli.ts')];
}
