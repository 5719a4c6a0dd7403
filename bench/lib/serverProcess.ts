import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { get, listeningPorts } from './listeningPorts.js';

export interface ServerProcess {
  pid: number;
  httpPort: number;
  metricsPort: number;
  /** how the ports were learned: the "listening" log line, or /proc when the log level hides it */
  portsFrom: 'log' | 'proc';
  /** ends the server by its PID: SIGTERM, then SIGKILL if it has not exited in time */
  stop(): Promise<void>;
}

// The CLI entry the end-to-end tests run: the server in its own process, exactly as `pulltrace server`.
const RUNNER = fileURLToPath(new URL('../../test/kit/cli.ts', import.meta.url));
// The built command users run (no TypeScript loader in the process: its memory is the product's).
const BUILT = fileURLToPath(new URL('../../bin/pulltrace', import.meta.url));
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Starts `pulltrace server` in its own process and waits until it listens (its "listening" log
 * line, else /proc). `entry` 'built' runs bin/pulltrace (dist/, built by `npm run build:server`).
 */
export async function startServerProcess(
  extraArgs: string[],
  nodeArgs: string[] = [],
  entry: 'source' | 'built' = 'source',
): Promise<ServerProcess> {
  const args = [
    ...nodeArgs,
    ...(entry === 'built' ? [BUILT] : ['--import', 'tsx', RUNNER]),
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

  const ports = await new Promise<{ httpPort: number; metricsPort: number; portsFrom: 'log' | 'proc' }>((resolve, reject) => {
    let settled = false;
    const settle = (result: { httpPort: number; metricsPort: number; portsFrom: 'log' | 'proc' } | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poller);
      child.removeListener('exit', onEarlyExit);
      if (result instanceof Error) {
        child.kill('SIGKILL');
        reject(result);
      } else resolve(result);
    };
    const fail = (why: string) => settle(new Error(`server process ${pid}: ${why}\n${stderrTail.join('\n')}`));
    const timer = setTimeout(() => fail(`not listening within ${STARTUP_TIMEOUT_MS / 1000} s`), STARTUP_TIMEOUT_MS);
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
        settle({ httpPort: entry.httpPort, metricsPort: entry.metricsPort, portsFrom: 'log' });
      }
    });
    // The "listening" line is an info line; at --log-level warn a server may not print it.
    // Then find the two bound ports from /proc and tell them apart by asking for /metrics.
    let probing = false;
    const poller = setInterval(() => {
      if (probing || settled) return;
      let bound: number[];
      try {
        bound = listeningPorts(pid);
      } catch {
        return; // the process is gone; its 'exit' event reports that
      }
      if (bound.length < 2) return;
      probing = true;
      identifyPorts(bound)
        .then((found) => found && settle({ ...found, portsFrom: 'proc' }))
        .catch(() => undefined)
        .finally(() => {
          probing = false;
        });
    }, 250);
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

/** Of the server's ports, the one serving Prometheus text at /metrics and the one ready at /readyz. */
async function identifyPorts(ports: number[]): Promise<{ httpPort: number; metricsPort: number } | undefined> {
  let metricsPort: number | undefined;
  let httpPort: number | undefined;
  for (const port of ports) {
    if ((await get(port, '/metrics')).body.includes('pulltrace_')) metricsPort = port;
    else if ((await get(port, '/readyz')).status === 200) httpPort = port;
  }
  return httpPort !== undefined && metricsPort !== undefined ? { httpPort, metricsPort } : undefined;
}
