// A real `pulltrace` process for end-to-end tests: started as cliCommand.ts says (built, or from
// source), its bound ports read from the "listening" log line, ended by PID.
import { type ManagedProcess, StopWaiting, startProcess, waitFor } from '../harness/index.js';
import { pulltraceArgs } from './cliCommand.js';

export interface PulltraceProcess {
  proc: ManagedProcess;
  baseUrl: string;
  metricsUrl: string;
  /** the agent port's URL, when started with --agent-addr */
  agentUrl?: string;
  /** parsed JSON log lines printed so far */
  logs(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Default flags that keep a test server on loopback, in memory and away from any cluster. */
const LOOPBACK_PORTS = ['--http-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0'];
export const TEST_SERVER_FLAGS = [...LOOPBACK_PORTS, '--kubernetes', 'off'];
/** A server on free loopback ports, in-memory history, watching the (fake) API server its KUBECONFIG names. */
export const KUBE_TEST_SERVER_FLAGS = [...LOOPBACK_PORTS, '--db', ':memory:', '--kubernetes', 'auto'];

export function parseLogLines(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // a line cut at the end of the buffer
    }
  }
  return out;
}

export async function startPulltrace(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<PulltraceProcess> {
  const proc = startProcess(process.execPath, [...pulltraceArgs(), ...args], {
    name: `pulltrace ${args[0] ?? ''}`,
    env: { ...process.env, ...opts.env },
  });
  const logs = () => parseLogLines(proc.stdout());
  // The caller only gets a handle to stop once this returns: a process left running after a failed
  // wait would keep its pipes, and so the test file, open forever.
  const listening = await waitFor(
    () => {
      if (!proc.running) throw new StopWaiting(`pulltrace exited before listening:\n${proc.stdout()}\n${proc.stderr()}`);
      return logs().find((l) => l.msg === 'listening');
    },
    { timeoutMs: opts.timeoutMs ?? 30_000, what: 'pulltrace to log "listening"' },
  ).catch(async (e: unknown) => {
    await proc.stop();
    throw e;
  });
  return {
    proc,
    baseUrl: `http://127.0.0.1:${listening.httpPort}`,
    metricsUrl: `http://127.0.0.1:${listening.metricsPort}/metrics`,
    ...(listening.agentPort !== undefined ? { agentUrl: `http://127.0.0.1:${listening.agentPort}` } : {}),
    logs,
    stop: async () => {
      await proc.stop();
    },
  };
}

/** Runs `pulltrace <args>` to completion (for commands that exit: --help, bad settings). */
export async function runPulltrace(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = startProcess(process.execPath, [...pulltraceArgs(), ...args], { name: 'pulltrace', env: { ...process.env, ...env } });
  const r = await proc.exited;
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** A metric's value; for a labelled metric (pulltrace_pull_errors_total{reason}) the sum of its series. */
export function metricValue(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
  if (m) return Number(m[1]);
  const series = [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} ([0-9.e+-]+)$`, 'gm'))];
  return series.length > 0 ? series.reduce((sum, s) => sum + Number(s[1]), 0) : undefined;
}
