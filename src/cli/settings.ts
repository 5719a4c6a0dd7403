// The one table of every setting: its env var, flag, default and parser. The CLI, --help and
// the configuration docs all come from here.
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import {
  type ListenAddress,
  parseAddress,
  parseDurationSetting,
  parseEnum,
  parseHttpUrl,
  parseNamespaceList,
  parseNodeName,
  parseNonEmpty,
  parsePositiveInt,
  SettingError,
} from './settingParsers.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type KubernetesMode = 'auto' | 'off';

export interface ServerSettings {
  httpAddr: ListenAddress;
  metricsAddr: ListenAddress;
  agentToken: string;
  historyTtlMs: number;
  db: string;
  historyRetentionMs: number;
  stallTimeoutMs: number;
  kubernetes: KubernetesMode;
  watchNamespaces: string[];
  logLevel: LogLevel;
  maxNodes: number;
  maxPulls: number;
  maxSseClients: number;
  nodeReportRate: number;
  maxSsePerAddress: number;
}

export interface AgentSettings {
  nodeName: string;
  serverUrl: string;
  containerdSocket: string;
  containerdNamespace: string;
  reportIntervalMs: number;
  agentToken: string;
  logLevel: LogLevel;
}

export type CommandName = 'server' | 'agent' | 'standalone';
type Scope = 'server' | 'agent';

export interface SettingSpec {
  /** property name in ServerSettings / AgentSettings */
  key: string;
  env: string;
  flag: string;
  /** default as the user would type it; undefined = required */
  default: string | undefined;
  /** default shown in docs when it is computed (host name, data path) */
  defaultDoc?: string;
  scopes: Scope[];
  help: string;
  parse: (text: string) => unknown;
  /** true for settings that are never logged */
  secret?: boolean;
  /** additive to the v1 contract */
  extension?: boolean;
}

export function defaultDbPath(): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'pulltrace', 'history.db');
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export const SETTINGS: SettingSpec[] = [
  {
    key: 'httpAddr',
    env: 'PULLTRACE_HTTP_ADDR',
    flag: 'http-addr',
    default: ':8080',
    scopes: ['server'],
    help: 'API, SSE and web UI listen address',
    parse: parseAddress,
  },
  {
    key: 'metricsAddr',
    env: 'PULLTRACE_METRICS_ADDR',
    flag: 'metrics-addr',
    default: ':9090',
    scopes: ['server'],
    help: 'Prometheus /metrics listen address (separate port)',
    parse: parseAddress,
  },
  {
    key: 'agentToken',
    env: 'PULLTRACE_AGENT_TOKEN',
    flag: 'agent-token',
    default: '',
    defaultDoc: 'empty (no auth)',
    scopes: ['server', 'agent'],
    help: 'shared secret agents send as "Authorization: Bearer …"',
    parse: (t) => t,
    secret: true,
  },
  {
    key: 'historyTtlMs',
    env: 'PULLTRACE_HISTORY_TTL',
    flag: 'history-ttl',
    default: '30m',
    scopes: ['server'],
    help: 'how long finished pulls stay in the live view',
    parse: (t) => parseDurationSetting(t),
  },
  {
    key: 'db',
    env: 'PULLTRACE_DB',
    flag: 'db',
    default: undefined,
    defaultDoc: '$XDG_DATA_HOME/pulltrace/history.db (~/.local/share/pulltrace/history.db)',
    scopes: ['server'],
    help: 'SQLite file for pull history; ":memory:" keeps nothing on disk',
    parse: parseNonEmpty,
  },
  {
    key: 'historyRetentionMs',
    env: 'PULLTRACE_HISTORY_RETENTION',
    flag: 'history-retention',
    default: '168h',
    scopes: ['server'],
    help: 'how long history rows are kept',
    parse: (t) => parseDurationSetting(t),
  },
  {
    key: 'stallTimeoutMs',
    env: 'PULLTRACE_STALL_TIMEOUT',
    flag: 'stall-timeout',
    default: '30s',
    scopes: ['server'],
    help: 'no byte progress this long marks a pull stalled',
    parse: (t) => parseDurationSetting(t, 100),
  },
  {
    key: 'kubernetes',
    env: 'PULLTRACE_KUBERNETES',
    flag: 'kubernetes',
    default: 'auto',
    scopes: ['server'],
    help: 'auto: in-cluster config, else KUBECONFIG / ~/.kube/config, else off with one warning; off',
    parse: (t) => parseEnum(t, ['auto', 'off'] as const),
  },
  {
    key: 'watchNamespaces',
    env: 'PULLTRACE_WATCH_NAMESPACES',
    flag: 'watch-namespaces',
    default: '',
    defaultDoc: 'empty (all)',
    scopes: ['server'],
    help: 'comma-separated namespaces for pod correlation',
    parse: parseNamespaceList,
  },
  {
    key: 'logLevel',
    env: 'PULLTRACE_LOG_LEVEL',
    flag: 'log-level',
    default: 'info',
    scopes: ['server', 'agent'],
    help: 'debug, info, warn or error',
    parse: (t) => parseEnum(t, LOG_LEVELS),
  },
  {
    key: 'maxNodes',
    env: 'PULLTRACE_MAX_NODES',
    flag: 'max-nodes',
    default: '10000',
    scopes: ['server'],
    help: 'most nodes tracked at once; reports from further nodes get 503',
    parse: parsePositiveInt,
    extension: true,
  },
  {
    key: 'maxPulls',
    env: 'PULLTRACE_MAX_PULLS',
    flag: 'max-pulls',
    default: '50000',
    scopes: ['server'],
    help: 'most pulls held in the live view; new pulls beyond it get 503',
    parse: parsePositiveInt,
    extension: true,
  },
  {
    key: 'maxSseClients',
    env: 'PULLTRACE_MAX_SSE_CLIENTS',
    flag: 'max-sse-clients',
    default: '1000',
    scopes: ['server'],
    help: 'most concurrent /api/v1/events clients; more get 503',
    parse: parsePositiveInt,
    extension: true,
  },
  {
    key: 'nodeReportRate',
    env: 'PULLTRACE_NODE_REPORT_RATE',
    flag: 'node-report-rate',
    default: '5',
    scopes: ['server'],
    help: 'most reports per second accepted from one node (burst of twice that); more get 429',
    parse: parsePositiveInt,
    extension: true,
  },
  {
    key: 'maxSsePerAddress',
    env: 'PULLTRACE_MAX_SSE_PER_ADDRESS',
    flag: 'max-sse-per-address',
    default: '20',
    scopes: ['server'],
    help: 'most concurrent /api/v1/events streams from one remote address; more get 429',
    parse: parsePositiveInt,
    extension: true,
  },
  {
    key: 'nodeName',
    env: 'PULLTRACE_NODE_NAME',
    flag: 'node-name',
    default: undefined,
    defaultDoc: 'host name',
    scopes: ['agent'],
    help: 'node this agent reports as',
    parse: parseNodeName,
  },
  {
    key: 'serverUrl',
    env: 'PULLTRACE_SERVER_URL',
    flag: 'server-url',
    default: undefined,
    defaultDoc: 'required for agent',
    scopes: ['agent'],
    help: 'server base URL, e.g. http://pulltrace-server:8080',
    parse: parseHttpUrl,
  },
  {
    key: 'containerdSocket',
    env: 'PULLTRACE_CONTAINERD_SOCKET',
    flag: 'containerd-socket',
    default: '/run/containerd/containerd.sock',
    scopes: ['agent'],
    help: 'containerd gRPC socket (the agent checks it answers as containerd)',
    parse: parseNonEmpty,
  },
  {
    key: 'containerdNamespace',
    env: 'PULLTRACE_CONTAINERD_NAMESPACE',
    flag: 'containerd-namespace',
    default: 'k8s.io',
    scopes: ['agent'],
    help: 'containerd namespace (default for ctr/nerdctl pulls)',
    parse: parseNonEmpty,
  },
  {
    key: 'reportIntervalMs',
    env: 'PULLTRACE_REPORT_INTERVAL',
    flag: 'report-interval',
    default: '1s',
    scopes: ['agent'],
    help: 'poll and report period',
    parse: (t) => parseDurationSetting(t, 50),
  },
];

export function settingsFor(command: CommandName): SettingSpec[] {
  const scopes: Scope[] = command === 'standalone' ? ['server', 'agent'] : [command];
  return SETTINGS.filter((s) => s.scopes.some((x) => scopes.includes(x)));
}

/** Resolved value sources for one command: flag wins over env, env over default. */
export function resolveSettings(
  command: CommandName,
  flags: Record<string, string | undefined>,
  env: Record<string, string | undefined>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of settingsFor(command)) {
    const fromFlag = flags[spec.flag];
    const fromEnv = env[spec.env];
    const text = fromFlag ?? fromEnv ?? spec.default ?? computedDefault(spec, command);
    if (text === undefined) {
      throw new SettingError(`${spec.env} / --${spec.flag} is required (example: --${spec.flag}=http://pulltrace-server:8080)`);
    }
    try {
      out[spec.key] = spec.parse(text);
    } catch (err) {
      const source = fromFlag !== undefined ? `--${spec.flag}` : fromEnv !== undefined ? spec.env : `default of --${spec.flag}`;
      throw new SettingError(`${source}: ${(err as Error).message}`);
    }
  }
  return out;
}

function computedDefault(spec: SettingSpec, command: CommandName): string | undefined {
  if (spec.key === 'db') return defaultDbPath();
  if (spec.key === 'nodeName') return hostname().toLowerCase();
  // standalone's agent reports to its own server in-process; no URL needed.
  if (spec.key === 'serverUrl' && command === 'standalone') return 'http://127.0.0.1';
  return undefined;
}

export { SettingError };
