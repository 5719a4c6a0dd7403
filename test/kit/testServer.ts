// A real `pulltrace server` (or standalone) for browser tests and benchmarks: the one process
// helper (pulltraceProcess.ts) with their defaults (loopback, in-memory history, no Kubernetes
// unless asked).
import { waitFor } from './harness/index.js';
import { type StartPulltraceOptions, startPulltrace } from './pulltraceProcess.js';

export interface TestServer {
  pid: number;
  url: string;
  httpPort: number;
  /** the Prometheus endpoint of the same process */
  metricsUrl: string;
  metricsPort: number;
  /** how the ports were learned: the "listening" log line, or /proc when the log level hides it */
  portsFrom: 'log' | 'proc';
  /** everything the process printed, for failure messages */
  output(): string;
  /** resolves once a JSON log line with this `msg` (and `component`, if given) has been printed */
  waitForLog(msg: string, component?: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ServerOptions extends Pick<StartPulltraceOptions, 'nodeArgs' | 'entry'> {
  /** fixed port, e.g. to restart a server where the browser expects it; default: a free one */
  httpPort?: number;
  command?: 'server' | 'standalone';
  extraArgs?: string[];
  /** default off; 'auto' with a KUBECONFIG in `env` talks to a fake API server */
  kubernetes?: 'off' | 'auto';
  env?: NodeJS.ProcessEnv;
}

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const server = await startPulltrace(
    [
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
    ],
    { env: options.env, nodeArgs: options.nodeArgs, entry: options.entry },
  );
  const output = () => `${server.proc.stdout()}${server.proc.stderr()}`;
  return {
    pid: server.pid,
    url: server.baseUrl,
    httpPort: server.httpPort,
    metricsUrl: server.metricsUrl,
    metricsPort: server.metricsPort,
    portsFrom: server.portsFrom,
    output,
    waitForLog: async (msg, component, timeoutMs = 15_000) => {
      await waitFor(() => server.logs().some((l) => l.msg === msg && (component === undefined || l.component === component)), {
        timeoutMs,
        what: `the server to log "${msg}"\n${output()}`,
      });
    },
    stop: server.stop,
  };
}
