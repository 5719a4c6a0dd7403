import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ServerProcess {
  pid: number;
  httpPort: number;
  metricsPort: number;
  /** ends the server by its PID: SIGTERM, then SIGKILL if it has not exited in time */
  stop(): Promise<void>;
}

const RUNNER = fileURLToPath(new URL('./serverRunner.ts', import.meta.url));
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** Starts `pulltrace server` in its own process and waits for its "listening" log line. */
export async function startServerProcess(extraArgs: string[]): Promise<ServerProcess> {
  const args = [
    '--import',
    'tsx',
    RUNNER,
    'server',
    '--http-addr',
    '127.0.0.1:0',
    '--metrics-addr',
    '127.0.0.1:0',
    '--db',
    ':memory:',
    '--kubernetes',
    'off',
    ...extraArgs,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('could not start the server process');
  const pid = child.pid;
  killOnExit(child);

  const stderrTail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
  });

  const ports = await new Promise<{ httpPort: number; metricsPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => fail(`no "listening" log line within ${STARTUP_TIMEOUT_MS / 1000} s`), STARTUP_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`server process ${pid}: ${why}\n${stderrTail.join('\n')}`));
    };
    const onEarlyExit = (code: number | null, signal: string | null) => fail(`exited before listening (code ${code}, signal ${signal})`);
    child.once('exit', onEarlyExit);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: { msg?: unknown; httpPort?: unknown; metricsPort?: unknown };
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.msg === 'listening' && typeof entry.httpPort === 'number' && typeof entry.metricsPort === 'number') {
        clearTimeout(timer);
        child.removeListener('exit', onEarlyExit);
        resolve({ httpPort: entry.httpPort, metricsPort: entry.metricsPort });
      }
    });
  });

  return {
    pid,
    ...ports,
    stop: () => stopProcess(child),
  };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
  });
}

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
