// A real `pulltrace` process for end-to-end tests and benchmarks: started as cliCommand.ts says
// (built, or from source) unless told, its bound ports read from the "listening" log line (or from
// /proc when the log level hides that line), ended by PID.
import { pulltraceArgs } from './cliCommand.js';
import { type ManagedProcess, StopWaiting, startProcess, waitFor } from './harness/index.js';
import { getText, listeningPorts } from './listeningPorts.js';

export interface PulltraceProcess {
  proc: ManagedProcess;
  pid: number;
  baseUrl: string;
  httpPort: number;
  metricsUrl: string;
  metricsPort: number;
  /** how the ports were learned: the "listening" log line, or /proc when the log level hides it */
  portsFrom: 'log' | 'proc';
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

export interface StartPulltraceOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Node's own flags, before the command (--expose-gc, --cpu-prof, --max-old-space-size=…) */
  nodeArgs?: string[];
  /** run the built command (bin/ over dist/) or the source; default: as cliCommand.ts chooses */
  entry?: 'built' | 'source';
}

/** Whether `args` (or the environment) set a log level that leaves out the info line "listening". */
export function hidesListeningLine(args: string[], env: NodeJS.ProcessEnv = {}): boolean {
  const i = args.lastIndexOf('--log-level');
  const level = i >= 0 ? args[i + 1] : env.PULLTRACE_LOG_LEVEL;
  return level === 'warn' || level === 'error' || level === 'fatal' || level === 'silent';
}

interface Ports {
  httpPort: number;
  metricsPort: number;
  agentPort?: number;
}

export async function startPulltrace(args: string[], opts: StartPulltraceOptions = {}): Promise<PulltraceProcess> {
  const command = opts.entry === undefined ? pulltraceArgs() : pulltraceArgs(opts.entry === 'built' ? 'dist' : 'source');
  const proc = startProcess(process.execPath, [...(opts.nodeArgs ?? []), ...command, ...args], {
    name: `pulltrace ${args[0] ?? ''}`,
    env: { ...process.env, ...opts.env },
  });
  const logs = () => parseLogLines(proc.stdout());
  const fromProc = hidesListeningLine(args, opts.env);
  const listening = await waitFor(
    async (): Promise<Ports | undefined> => {
      if (!proc.running) throw new StopWaiting(`pulltrace exited before listening:\n${proc.stdout()}\n${proc.stderr()}`);
      if (fromProc) return portsFromProc(proc.pid);
      return logs().find((l) => l.msg === 'listening') as Ports | undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 30_000, what: `pulltrace to listen (${fromProc ? 'its ports in /proc' : 'its log line "listening"'})` },
  );
  return {
    proc,
    pid: proc.pid,
    baseUrl: `http://127.0.0.1:${listening.httpPort}`,
    httpPort: listening.httpPort,
    metricsUrl: `http://127.0.0.1:${listening.metricsPort}/metrics`,
    metricsPort: listening.metricsPort,
    portsFrom: fromProc ? 'proc' : 'log',
    ...(listening.agentPort !== undefined ? { agentUrl: `http://127.0.0.1:${listening.agentPort}` } : {}),
    logs,
    stop: async () => {
      await proc.stop();
    },
  };
}

/**
 * The server's two ports found in /proc, told apart by asking: the one serving Prometheus text at
 * /metrics, and the one ready at /readyz. Undefined until both listen.
 */
async function portsFromProc(pid: number): Promise<Ports | undefined> {
  let bound: number[];
  try {
    bound = listeningPorts(pid);
  } catch {
    return undefined; // gone; the running check reports it
  }
  if (bound.length < 2) return undefined;
  let metricsPort: number | undefined;
  let httpPort: number | undefined;
  for (const port of bound) {
    const metrics = await getText(port, '/metrics').catch(() => undefined);
    if (metrics?.body.includes('pulltrace_')) metricsPort = port;
    else if ((await getText(port, '/readyz').catch(() => undefined))?.status === 200) httpPort = port;
  }
  return httpPort !== undefined && metricsPort !== undefined ? { httpPort, metricsPort } : undefined;
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
