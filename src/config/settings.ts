// The one table of every setting: its env var, flag, default and parser. The CLI, --help and
// the configuration docs all come from here.

import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { parseByteRate } from './byteRate.js';
import { nodeNameFromHostname } from './nodeNameFromHostname.js';
import { busUrlHasCredentials, parseBusUrl } from './parseBusUrl.js';
import { parseCidrList } from './parseCidrList.js';
import { parseClusterName } from './parseClusterName.js';
import { parseHistoryDb } from './parseHistoryDb.js';
import { parseHostNameList } from './parseHostNameList.js';
import {
  type ListenAddress,
  parseAddress,
  parseDurationSetting,
  parseEnum,
  parseHttpUrl,
  parseNamespaceList,
  parseNodeName,
  parseNonEmpty,
  parseOptionalEnum,
  parsePositiveInt,
  parseServiceAccountList,
  type ServiceAccountRef,
  SettingError,
} from './settingParsers.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type KubernetesMode = 'auto' | 'off';
export type AgentAuthMode = 'kubernetes' | 'token' | 'none';

export interface ServerSettings {
  httpAddr: ListenAddress;
  metricsAddr: ListenAddress;
  agentToken: string;
  historyTtlMs: number;
  db: string;
  historyRetentionMs: number;
  historyMaxPulls: number;
  stallTimeoutMs: number;
  kubernetes: KubernetesMode;
  watchNamespaces: string[];
  logLevel: LogLevel;
  logFormat: LogFormatSetting;
  maxNodes: number;
  maxPulls: number;
  maxSseClients: number;
  nodeReportRate: number;
  agentAuth: AgentAuthMode;
  agentServiceAccounts: ServiceAccountRef[];
  agentReviewRate: number;
  agentReviewTtlMs: number;
  tlsCertFile: string;
  tlsKeyFile: string;
  slowEtaMs: number;
  slowRateBytesPerSec: number;
  maxPullsPerNode: number;
  nodeTimeoutMs: number;
  maxNodesPerAddress: number;
  listenBacklog: number;
  maxConnections: number;
  requestTimeoutMs: number;
  maxSsePerAddress: number;
  readRate: number;
  readBurst: number;
  sseStallTimeoutMs: number;
  maxConnectionsPerAddress: number;
  cluster: string;
  bus: string;
  busCredsFile: string;
  busCaFile: string;
  busCertFile: string;
  busKeyFile: string;
  /** undefined: reports are taken on httpAddr */
  agentAddr: ListenAddress | undefined;
  trustedProxies: string[];
  allowedHosts: string[];
}

export interface AgentSettings {
  nodeName: string;
  serverUrl: string;
  containerdSocket: string;
  containerdNamespace: string;
  reportIntervalMs: number;
  agentToken: string;
  logLevel: LogLevel;
  agentTokenFile: string;
  serverCaFile: string;
  unpackTimeoutMs: number;
  logFormat: LogFormatSetting;
}

/** `standalone`: the server's settings and its in-process agent's, which reports to the server itself. */
export type StandaloneSettings = ServerSettings & Omit<AgentSettings, 'serverUrl'>;
/** Every setting of every command, by its property name. */
type AllSettings = ServerSettings & AgentSettings;
export type SettingKey = keyof AllSettings;

export type CommandName = 'server' | 'agent' | 'standalone';
type Scope = 'server' | 'agent';

/** One setting; `parse` gives exactly the type its property has in ServerSettings / AgentSettings. */
export interface TypedSettingSpec<K extends SettingKey> {
  /** property name in ServerSettings / AgentSettings */
  key: K;
  env: string;
  flag: string;
  /** default as the user would type it; undefined = required */
  default: string | undefined;
  /** default shown in docs when it is computed (host name, data path) */
  defaultDoc?: string;
  scopes: Scope[];
  help: string;
  /**
   * The value from its text. `resolved` holds the settings before this one in the table, for a
   * default computed from them (the agent auth mode from the token).
   */
  parse: (text: string, resolved: Partial<AllSettings>) => AllSettings[K];
  /** the text used when neither flag, env nor `default` gives one (host name, data path) */
  computedDefault?: () => string;
  /** true for settings that are never logged */
  secret?: boolean;
  /** additive to the v1 contract */
  extension?: boolean;
  /** default of `standalone` when it differs (one machine: listen on loopback only) */
  standaloneDefault?: string;
  /** false for agent settings that make no sense in `standalone` (its agent is in-process) */
  inStandalone?: boolean;
}

/** A setting of any key, each entry checked against its own property's type. */
export type SettingSpec = { [K in SettingKey]: TypedSettingSpec<K> }[SettingKey];

export function defaultDbPath(): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'pulltrace', 'history.db');
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
const LOG_FORMATS = ['auto', 'json', 'text'] as const;
export type LogFormatSetting = (typeof LOG_FORMATS)[number];

export const SETTINGS: SettingSpec[] = [
  {
    key: 'httpAddr',
    env: 'PULLTRACE_HTTP_ADDR',
    flag: 'http-addr',
    default: ':8080',
    defaultDoc: ':8080 (standalone: 127.0.0.1:8080)',
    standaloneDefault: '127.0.0.1:8080',
    scopes: ['server'],
    help: 'API, SSE and web UI listen address',
    parse: parseAddress,
  },
  {
    key: 'metricsAddr',
    env: 'PULLTRACE_METRICS_ADDR',
    flag: 'metrics-addr',
    default: ':9090',
    defaultDoc: ':9090 (standalone: 127.0.0.1:9090)',
    standaloneDefault: '127.0.0.1:9090',
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
    help: 'SQLite file for pull history; ":memory:" keeps nothing on disk; a postgres:// URL keeps it in PostgreSQL (for replicas)',
    parse: parseHistoryDb,
    computedDefault: defaultDbPath,
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
    key: 'historyMaxPulls',
    env: 'PULLTRACE_HISTORY_MAX_PULLS',
    flag: 'history-max-pulls',
    default: '1000000',
    scopes: ['server'],
    help: 'most history rows kept; beyond it the oldest are deleted',
    parse: parsePositiveInt,
    extension: true,
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
    key: 'readRate',
    env: 'PULLTRACE_READ_RATE',
    flag: 'read-rate',
    default: '50',
    scopes: ['server'],
    help: 'reads (/api/v1/pulls, /api/v1/pulls/{id}, /api/v1/history) per second from one remote address; more get 429',
    parse: parsePositiveInt,
    extension: true,
  },
  {
    key: 'readBurst',
    env: 'PULLTRACE_READ_BURST',
    flag: 'read-burst',
    default: '100',
    scopes: ['server'],
    help: 'reads one remote address may make at once before PULLTRACE_READ_RATE applies',
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
    computedDefault: () => nodeNameFromHostname(hostname()),
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
    inStandalone: false,
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
    help: 'containerd namespace (default for ctr/nerdctl pulls); standalone without Kubernetes follows every namespace unless this is given',
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
  {
    key: 'agentAuth',
    env: 'PULLTRACE_AGENT_AUTH',
    flag: 'agent-auth',
    default: '',
    defaultDoc: 'token when an agent token is set, else none',
    scopes: ['server'],
    help: 'how agents prove who they are: kubernetes (projected ServiceAccount token checked by TokenReview, bound to its node), token (the shared PULLTRACE_AGENT_TOKEN) or none',
    // PULLTRACE_AGENT_TOKEN is earlier in this table, so it is resolved when this default is computed.
    parse: (t, resolved) => parseOptionalEnum(t, ['kubernetes', 'token', 'none'] as const) ?? (resolved.agentToken ? 'token' : 'none'),
    extension: true,
  },
  {
    key: 'agentServiceAccounts',
    env: 'PULLTRACE_AGENT_SERVICE_ACCOUNTS',
    flag: 'agent-service-accounts',
    default: '',
    defaultDoc: 'empty (required with --agent-auth kubernetes)',
    scopes: ['server'],
    help: 'comma-separated namespace:name of the ServiceAccounts agents run as (agent-auth kubernetes)',
    parse: parseServiceAccountList,
    extension: true,
  },
  {
    key: 'agentReviewRate',
    env: 'PULLTRACE_AGENT_REVIEW_RATE',
    flag: 'agent-review-rate',
    default: '5',
    scopes: ['server'],
    help: 'TokenReviews per second one remote address may cause with tokens the server does not know yet (burst of twice that); more get 429 (agent-auth kubernetes)',
    parse: parsePositiveInt,
    extension: true,
  },
  {
    key: 'agentReviewTtlMs',
    env: 'PULLTRACE_AGENT_REVIEW_TTL',
    flag: 'agent-review-ttl',
    default: '60s',
    scopes: ['server'],
    help: "how long a token's positive TokenReview answer is used before the token is reviewed again; while TokenReview is down it is used until the token expires (agent-auth kubernetes)",
    parse: (t) => parseDurationSetting(t, 1000),
    extension: true,
  },
  {
    key: 'tlsCertFile',
    env: 'PULLTRACE_TLS_CERT_FILE',
    flag: 'tls-cert-file',
    default: '',
    defaultDoc: 'empty (plain HTTP)',
    scopes: ['server'],
    help: 'PEM certificate (chain) for HTTPS on the API port; re-read when the file changes',
    parse: (t) => t,
    extension: true,
  },
  {
    key: 'tlsKeyFile',
    env: 'PULLTRACE_TLS_KEY_FILE',
    flag: 'tls-key-file',
    default: '',
    defaultDoc: 'empty (plain HTTP)',
    scopes: ['server'],
    help: 'PEM private key of --tls-cert-file; re-read when the file changes',
    parse: (t) => t,
    extension: true,
  },
  {
    key: 'agentTokenFile',
    env: 'PULLTRACE_AGENT_TOKEN_FILE',
    flag: 'agent-token-file',
    default: '',
    defaultDoc: 'empty (use --agent-token)',
    scopes: ['agent'],
    help: 'file holding the bearer token (a projected ServiceAccount token); re-read for every report, so rotation needs no restart',
    parse: (t) => t,
    extension: true,
  },
  {
    key: 'serverCaFile',
    env: 'PULLTRACE_SERVER_CA_FILE',
    flag: 'server-ca-file',
    default: '',
    defaultDoc: 'empty (system CAs)',
    scopes: ['agent'],
    help: 'PEM CA bundle the agent verifies an https:// server URL with',
    parse: (t) => t,
    extension: true,
  },
  {
    key: 'slowEtaMs',
    env: 'PULLTRACE_SLOW_ETA',
    flag: 'slow-eta',
    default: '15m',
    scopes: ['server'],
    help: 'a pulling pull whose ETA exceeds this is marked slow',
    parse: (t) => parseDurationSetting(t, 1000),
    extension: true,
  },
  {
    key: 'maxPullsPerNode',
    env: 'PULLTRACE_MAX_PULLS_PER_NODE',
    flag: 'max-pulls-per-node',
    default: '256',
    scopes: ['server'],
    help: 'most pulls one node holds in the live view (its finished ones make room first); more get 429',
    parse: parsePositiveInt,
    extension: true,
  },
  {
    key: 'nodeTimeoutMs',
    env: 'PULLTRACE_NODE_TIMEOUT',
    flag: 'node-timeout',
    default: '2m',
    scopes: ['server'],
    help: 'a node silent this long has its unfinished pulls failed ("agent on <node> stopped reporting"); they resume if it reports them again',
    parse: (t) => parseDurationSetting(t, 1000),
    extension: true,
  },
  {
    key: 'slowRateBytesPerSec',
    env: 'PULLTRACE_SLOW_RATE',
    flag: 'slow-rate',
    default: '100KiB/s',
    scopes: ['server'],
    help: 'a pulling pull whose rate stays below this for a minute is marked slow',
    parse: parseByteRate,
    extension: true,
  },
  {
    key: 'unpackTimeoutMs',
    env: 'PULLTRACE_UNPACK_TIMEOUT',
    flag: 'unpack-timeout',
    default: '10m',
    scopes: ['agent'],
    help: 'a pull whose blobs are all on the node but whose image record never appears ends completed after this long without unpack progress',
    parse: (t) => parseDurationSetting(t, 1000),
    extension: true,
  },
  {
    key: 'maxNodesPerAddress',
    env: 'PULLTRACE_MAX_NODES_PER_ADDRESS',
    flag: 'max-nodes-per-address',
    default: '8',
    scopes: ['server'],
    help: 'most node names one client address may report for (raise it when agents reach the server through NAT or a proxy); more get 429',
    parse: parsePositiveInt,
    extension: true,
  },
  {
    key: 'listenBacklog',
    env: 'PULLTRACE_LISTEN_BACKLOG',
    flag: 'listen-backlog',
    default: '4096',
    scopes: ['server'],
    help: 'queue of connections not yet accepted (the kernel caps it at net.core.somaxconn), so a restart with every agent reconnecting is not answered with resets',
    parse: parsePositiveInt,
    extension: true,
  },
  {
    key: 'maxConnections',
    env: 'PULLTRACE_MAX_CONNECTIONS',
    flag: 'max-connections',
    default: '20000',
    scopes: ['server'],
    help: 'most open connections on the HTTP port; further ones are closed at once',
    parse: parsePositiveInt,
    extension: true,
  },
  {
    key: 'requestTimeoutMs',
    env: 'PULLTRACE_HTTP_REQUEST_TIMEOUT',
    flag: 'http-request-timeout',
    default: '30s',
    scopes: ['server'],
    help: 'most time a client may take to send a whole request (headers: at most 10s of it); event streams are not cut by it',
    parse: (t) => parseDurationSetting(t, 1000),
    extension: true,
  },
  {
    key: 'sseStallTimeoutMs',
    env: 'PULLTRACE_SSE_STALL_TIMEOUT',
    flag: 'sse-stall-timeout',
    default: '30s',
    scopes: ['server'],
    help: 'an event stream that takes no byte this long while data waits for it is closed; at PULLTRACE_MAX_SSE_CLIENTS a new stream first replaces the longest-stalled one',
    parse: (t) => parseDurationSetting(t, 1000),
    extension: true,
  },
  {
    key: 'maxConnectionsPerAddress',
    env: 'PULLTRACE_MAX_CONNECTIONS_PER_ADDRESS',
    flag: 'max-connections-per-address',
    default: '256',
    scopes: ['server'],
    help: 'most open connections on the HTTP port from one remote address (a proxy or Ingress in front counts as one address for all its clients: raise it there); further ones are closed at once',
    parse: parsePositiveInt,
    extension: true,
  },
  {
    key: 'logFormat',
    env: 'PULLTRACE_LOG_FORMAT',
    flag: 'log-format',
    default: 'auto',
    scopes: ['server', 'agent'],
    help: 'auto: human-readable lines when stdout is a terminal, else JSON lines; json; text',
    parse: (t) => parseEnum(t, LOG_FORMATS),
    extension: true,
  },
  {
    key: 'cluster',
    env: 'PULLTRACE_CLUSTER',
    flag: 'cluster',
    default: 'default',
    scopes: ['server'],
    help: 'name of this cluster, carried by every pull (filter: cluster=); a DNS label',
    parse: parseClusterName,
    extension: true,
  },
  {
    key: 'bus',
    env: 'PULLTRACE_BUS',
    flag: 'bus',
    default: '',
    defaultDoc: 'empty (in-process: one server)',
    scopes: ['server'],
    help: 'nats://host:4222: replicas share reports through a NATS JetStream stream; empty keeps them in this process. nats://user:password@host:4222 or nats://token@host:4222 authenticate; tls://host:4222 requires TLS. Never logged with its credentials',
    parse: parseBusUrl,
    extension: true,
  },
  {
    key: 'busCredsFile',
    env: 'PULLTRACE_BUS_CREDS_FILE',
    flag: 'bus-creds-file',
    default: '',
    defaultDoc: 'empty (no .creds file)',
    scopes: ['server'],
    help: 'NATS .creds file (user JWT and nkey seed) the server authenticates to NATS with; read at start-up',
    parse: (t) => t,
    extension: true,
  },
  {
    key: 'busCaFile',
    env: 'PULLTRACE_BUS_CA_FILE',
    flag: 'bus-ca-file',
    default: '',
    defaultDoc: 'empty (the system CAs)',
    scopes: ['server'],
    help: "PEM CA bundle that verifies the NATS server's certificate (tls:// URLs; implies TLS); read at start-up",
    parse: (t) => t,
    extension: true,
  },
  {
    key: 'busCertFile',
    env: 'PULLTRACE_BUS_CERT_FILE',
    flag: 'bus-cert-file',
    default: '',
    defaultDoc: 'empty (no client certificate)',
    scopes: ['server'],
    help: 'PEM client certificate the server shows NATS (TLS client authentication; with PULLTRACE_BUS_KEY_FILE); read at start-up',
    parse: (t) => t,
    extension: true,
  },
  {
    key: 'busKeyFile',
    env: 'PULLTRACE_BUS_KEY_FILE',
    flag: 'bus-key-file',
    default: '',
    defaultDoc: 'empty (no client certificate)',
    scopes: ['server'],
    help: 'PEM private key of PULLTRACE_BUS_CERT_FILE; read at start-up',
    parse: (t) => t,
    extension: true,
  },
  {
    key: 'agentAddr',
    env: 'PULLTRACE_AGENT_ADDR',
    flag: 'agent-addr',
    default: '',
    defaultDoc: 'empty (reports on the HTTP port)',
    scopes: ['server'],
    help: 'listen address (e.g. :8081) that alone takes agent reports (POST /api/v1/report); the HTTP port then answers it 404',
    parse: (t) => (t.trim() === '' ? undefined : parseAddress(t)),
    extension: true,
  },
  {
    key: 'trustedProxies',
    env: 'PULLTRACE_TRUSTED_PROXIES',
    flag: 'trusted-proxies',
    default: '',
    defaultDoc: 'empty (X-Forwarded-For ignored)',
    scopes: ['server'],
    help: 'comma-separated addresses or CIDR ranges of proxies whose X-Forwarded-For is believed: the client is the right-most entry none of them added',
    parse: parseCidrList,
    extension: true,
  },
  {
    key: 'allowedHosts',
    env: 'PULLTRACE_ALLOWED_HOSTS',
    flag: 'allowed-hosts',
    default: '',
    defaultDoc: 'empty (localhost, 127.0.0.1, [::1])',
    scopes: ['server'],
    help: 'comma-separated host names a server listening on loopback answers besides localhost, 127.0.0.1 and [::1] (others get 421)',
    parse: parseHostNameList,
    extension: true,
  },
];

export function settingsFor(command: CommandName): SettingSpec[] {
  if (command === 'standalone') return SETTINGS.filter((s) => s.inStandalone !== false);
  return SETTINGS.filter((s) => s.scopes.includes(command));
}

/** The default a command uses for a setting, as the user would type it; undefined = required or computed. */
export function defaultFor(spec: { default: string | undefined; standaloneDefault?: string }, command: CommandName): string | undefined {
  return (command === 'standalone' ? spec.standaloneDefault : undefined) ?? spec.default;
}

/** Resolved value sources for one command: flag wins over env, env over default. */
export function resolveSettings(command: 'server', flags: Flags, env: Flags): ServerSettings;
export function resolveSettings(command: 'agent', flags: Flags, env: Flags): AgentSettings;
export function resolveSettings(command: 'standalone', flags: Flags, env: Flags): StandaloneSettings;
export function resolveSettings(command: CommandName, flags: Flags, env: Flags): ServerSettings | AgentSettings | StandaloneSettings;
export function resolveSettings(command: CommandName, flags: Flags, env: Flags): ServerSettings | AgentSettings | StandaloneSettings {
  const out: Partial<AllSettings> = {};
  for (const spec of settingsFor(command)) resolveOne(spec, command, flags, env, out);
  if (command !== 'agent') checkCombinations(out);
  // Every setting of the command's scope was assigned above (or resolving threw).
  return out as ServerSettings | AgentSettings | StandaloneSettings;
}

type Flags = Record<string, string | undefined>;

function resolveOne<K extends SettingKey>(
  spec: TypedSettingSpec<K>,
  command: CommandName,
  flags: Flags,
  env: Flags,
  out: Partial<AllSettings>,
): void {
  const fromFlag = flags[spec.flag];
  const fromEnv = env[spec.env];
  const text = fromFlag ?? fromEnv ?? defaultFor(spec, command) ?? spec.computedDefault?.();
  if (text === undefined) {
    throw new SettingError(`${spec.env} / --${spec.flag} is required (example: --${spec.flag}=http://pulltrace-server:8080)`);
  }
  try {
    out[spec.key] = spec.parse(text, out);
  } catch (err) {
    const source = fromFlag !== undefined ? `--${spec.flag}` : fromEnv !== undefined ? spec.env : `default of --${spec.flag}`;
    throw new SettingError(`${source}: ${(err as Error).message}`);
  }
}

/** Settings of the server that only make sense together. */
function checkCombinations(out: Partial<ServerSettings>): void {
  const token = out.agentToken ?? '';
  const mode = out.agentAuth;
  if (mode === 'token' && !token) {
    throw new SettingError('PULLTRACE_AGENT_AUTH=token needs PULLTRACE_AGENT_TOKEN / --agent-token (the shared secret agents send)');
  }
  if (mode === 'kubernetes') {
    if ((out.agentServiceAccounts ?? []).length === 0) {
      throw new SettingError(
        'PULLTRACE_AGENT_AUTH=kubernetes needs PULLTRACE_AGENT_SERVICE_ACCOUNTS / --agent-service-accounts (example: pulltrace:pulltrace-agent)',
      );
    }
    if (out.kubernetes === 'off') {
      throw new SettingError('PULLTRACE_AGENT_AUTH=kubernetes needs the Kubernetes API (PULLTRACE_KUBERNETES is off)');
    }
  }
  const agentPort = out.agentAddr?.port;
  if (agentPort && (agentPort === out.httpAddr?.port || agentPort === out.metricsAddr?.port)) {
    throw new SettingError(
      `PULLTRACE_AGENT_ADDR needs a port of its own (${agentPort} is the HTTP or metrics port); example: PULLTRACE_AGENT_ADDR=:8081`,
    );
  }
  if (Boolean(out.tlsCertFile) !== Boolean(out.tlsKeyFile)) {
    throw new SettingError('PULLTRACE_TLS_CERT_FILE and PULLTRACE_TLS_KEY_FILE go together: set both for HTTPS, or neither');
  }
  checkBusCombinations(out);
}

/** The NATS connection settings only make sense with a bus, and some not together. */
function checkBusCombinations(out: Partial<ServerSettings>): void {
  const files: Array<[string, string | undefined]> = [
    ['PULLTRACE_BUS_CREDS_FILE', out.busCredsFile],
    ['PULLTRACE_BUS_CA_FILE', out.busCaFile],
    ['PULLTRACE_BUS_CERT_FILE', out.busCertFile],
    ['PULLTRACE_BUS_KEY_FILE', out.busKeyFile],
  ];
  const set = files.filter(([, value]) => value).map(([name]) => name);
  if (!out.bus && set.length > 0) throw new SettingError(`${set.join(', ')} needs PULLTRACE_BUS (a nats:// or tls:// URL)`);
  if (Boolean(out.busCertFile) !== Boolean(out.busKeyFile)) {
    throw new SettingError('PULLTRACE_BUS_CERT_FILE and PULLTRACE_BUS_KEY_FILE go together: set both for a client certificate, or neither');
  }
  if (out.busCredsFile && out.bus && busUrlHasCredentials(out.bus)) {
    throw new SettingError('PULLTRACE_BUS carries a user or token and PULLTRACE_BUS_CREDS_FILE is set: authenticate with one of them');
  }
}

export { SettingError };
