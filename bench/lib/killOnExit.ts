import type { ChildProcess } from 'node:child_process';

/** A benchmark that dies or is interrupted must not leave its children running. */
export function killOnExit(child: ChildProcess): void {
  const kill = () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
}
