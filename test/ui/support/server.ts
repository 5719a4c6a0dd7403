import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopProcess, track } from './processes.js';

// The same CLI entry every end-to-end test runs.
const RUNNER = fileURLToPath(new URL('../../support/cli.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface TestServer {
  url: string;
  httpPort: number;
  /** everything the process printed, for failure messages */
  output(): string;
  /** resolves once a JSON log line with this `msg` (and `component`, if given) has been printed */
  waitForLog(msg: string, component?: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** fixed port, e.g. to restart a server where the browser expects it; default: a free one */
  httpPort?: number;
  command?: 'server' | 'standalone';
  extraArgs?: string[];
  /** default off; 'auto' with a KUBECONFIG in `env` talks to a fake API server */
  kubernetes?: 'off' | 'auto';
  env?: NodeJS.ProcessEnv;
}

/** Starts a real `pulltrace server` (in-memory history, no Kubernetes) on loopback. */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const args = [
    '--import',
    'tsx',
    RUNNER,
    options.command ?? 'server',
    '--http-addr',
    `127.0.0.1:${options.httpPort ?? 0}`,
    '--metrics-addr',
    '127.0.0.1:0',
    '--db',
    ':memory:',
    '--kubernetes',
    options.kubernetes ?? 'off',
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  track(child);
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    output += d;
  });
  const httpPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not log "listening" within ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      pending += d;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
        const port = listeningPort(line);
        if (port !== undefined) {
          clearTimeout(timer);
          resolve(port);
        }
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${httpPort}`,
    httpPort,
    output: () => output,
    waitForLog: async (msg, component, timeoutMs = 15_000) => {
      const seen = () =>
        output.split('\n').some((line) => {
          const record = parseLine(line);
          return record?.msg === msg && (component === undefined || record.component === component);
        });
      const deadline = Date.now() + timeoutMs;
      while (!seen()) {
        if (child.exitCode !== null) throw new Error(`server exited before logging "${msg}":\n${output}`);
        if (Date.now() > deadline) throw new Error(`server did not log "${msg}" within ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: () => stopProcess(child as ChildProcess),
  };
}

function listeningPort(line: string): number | undefined {
  const record = parseLine(line);
  return record?.msg === 'listening' && typeof record.httpPort === 'number' ? record.httpPort : undefined;
}

function parseLine(line: string): { msg?: unknown; component?: unknown; httpPort?: unknown } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as { msg?: unknown; component?: unknown; httpPort?: unknown };
  } catch {
    return undefined;
  }
}
