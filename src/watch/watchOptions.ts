// The flags of `pulltrace watch` (and of `kubectl pulltrace`, which adds its own): a client
// command's options, not a daemon's settings, so they live here rather than in the settings table.
// Bad input is an error naming the flag, before anything connects. Credentials in the server URL
// (userinfo) are never repeated in a message.
import { parseDuration, printable, redactSecrets } from '../common/index.js';

export const WATCH_STATUSES = ['pulling', 'unpacking', 'stalled', 'completed', 'failed', 'active'] as const;
export const OUTPUTS = ['auto', 'plain', 'wide', 'json'] as const;
export type OutputMode = (typeof OUTPUTS)[number];

export interface WatchFilters {
  node: string;
  image: string;
  namespace: string;
  pod: string;
  status: string;
  /** exact cluster name (PULLTRACE_CLUSTER); empty or absent: every cluster */
  cluster?: string;
}

export interface WatchOptions {
  server: string;
  filters: WatchFilters;
  output: OutputMode;
  untilDone: boolean;
  /** --since: epoch ms; --until-done also counts pulls that finished at or after it (default: the watch's start) */
  sinceMs?: number;
  /** --timeout: --until-done gives up (exit 3) after this many ms */
  timeoutMs?: number;
  /** --token-file: a file holding the bearer token */
  tokenFile?: string;
  /** PULLTRACE_TOKEN: the bearer token itself (--token-file wins) */
  envToken?: string;
  help: boolean;
  /** values of the extra flags a wrapping command declared */
  extra: Record<string, string>;
}

export class WatchUsageError extends Error {}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

interface FlagSpec {
  name: string;
  help: string;
  /** a flag without a value */
  boolean?: boolean;
}

export const WATCH_FLAGS: FlagSpec[] = [
  { name: 'server', help: `server base URL (env PULLTRACE_SERVER_URL; default ${DEFAULT_SERVER})` },
  { name: 'node', help: 'only pulls on nodes whose name contains this' },
  { name: 'image', help: 'only pulls of images whose reference contains this' },
  { name: 'namespace', help: 'only pulls a pod in a namespace containing this waits on' },
  { name: 'pod', help: 'only pulls a pod whose name contains this waits on' },
  { name: 'cluster', help: "only pulls of this cluster (exact name, as the server's PULLTRACE_CLUSTER)" },
  { name: 'status', help: `only pulls in these statuses, comma-separated: ${WATCH_STATUSES.join(', ')} (active: every unfinished one)` },
  {
    name: 'output',
    help: 'auto (a live screen on a terminal, else plain), plain (one line per change), wide (plain with bytes, layers and pods), json (the PullEvent of each change, one per line); a change is a new status or whole percent',
  },
  {
    name: 'token-file',
    help: 'file holding a bearer token, sent as `Authorization: Bearer …` to a server behind an authenticating proxy; read again on each reconnect (env PULLTRACE_TOKEN: the token itself)',
  },
  {
    name: 'until-done',
    help: 'exit once every pull it counts has finished, 0 if all completed, 1 if any failed: pulls still running when it connects and pulls that start after (pulls that had finished before are ignored)',
    boolean: true,
  },
  {
    name: 'since',
    help: 'with --until-done, also count pulls that started at or after this time: RFC 3339 (2026-01-02T15:04:05Z) or a duration meaning that long ago (10m, 1h30m)',
  },
  {
    name: 'timeout',
    help: 'with --until-done, give up after this duration (30s, 10m) and exit 3, naming what is still pulling; an image already on every node is not pulled again, so nothing may ever start',
  },
];

const FILTER_KEYS = ['node', 'image', 'namespace', 'pod', 'status', 'cluster'] as const;

/** Parses `watch` flags (`--flag value`, `--flag=value`); `extraFlags` are a wrapping command's own. */
export function parseWatchArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  extraFlags: readonly FlagSpec[] = [],
  now: number = Date.now(),
): WatchOptions {
  const specs = new Map([...WATCH_FLAGS, ...extraFlags].map((f) => [f.name, f]));
  const values: Record<string, string> = {};
  const rest = [...argv];
  let help = false;
  while (rest.length > 0) {
    const arg = rest.shift() as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new WatchUsageError(`unexpected argument "${shown(arg)}" (see --help)`);
    const name = m[1] as string;
    const spec = specs.get(name);
    if (!spec) throw new WatchUsageError(`unknown flag --${name} (see --help)`);
    let value = m[2];
    if (spec.boolean) {
      if (value !== undefined && value !== 'true' && value !== 'false')
        throw new WatchUsageError(`--${name} takes no value, or =true / =false (got "${shown(value)}")`);
      values[name] = value ?? 'true';
      continue;
    }
    if (value === undefined) {
      value = rest.shift();
      if (value === undefined || value.startsWith('--')) throw new WatchUsageError(`--${name} needs a value`);
    }
    values[name] = value;
  }

  const server = values.server ?? env.PULLTRACE_SERVER_URL ?? DEFAULT_SERVER;
  const from = values.server !== undefined ? '--server' : env.PULLTRACE_SERVER_URL !== undefined ? 'PULLTRACE_SERVER_URL' : 'default';
  if (!help) checkServerUrl(server, from);

  const filters: WatchFilters = { node: '', image: '', namespace: '', pod: '', status: '' };
  for (const key of FILTER_KEYS) {
    const value = values[key];
    if (value === undefined) continue;
    if (value.length > 256) throw new WatchUsageError(`--${key}: at most 256 characters (got ${value.length})`);
    filters[key] = value;
  }
  for (const status of filters.status ? filters.status.split(',') : []) {
    if (!(WATCH_STATUSES as readonly string[]).includes(status)) {
      throw new WatchUsageError(`--status: "${shown(status)}" is not a status (one of: ${WATCH_STATUSES.join(', ')})`);
    }
  }
  const output = values.output ?? 'auto';
  if (!(OUTPUTS as readonly string[]).includes(output)) {
    throw new WatchUsageError(`--output: "${shown(output)}" is not an output (one of: ${OUTPUTS.join(', ')})`);
  }
  const untilDone = values['until-done'] === 'true';
  for (const name of ['since', 'timeout']) {
    if (values[name] !== undefined && !untilDone) throw new WatchUsageError(`--${name} only applies with --until-done`);
  }
  const sinceMs = values.since === undefined ? undefined : parseSince(values.since, now);
  const timeoutMs = values.timeout === undefined ? undefined : parseTimeout(values.timeout);
  const extra: Record<string, string> = {};
  for (const f of extraFlags) if (values[f.name] !== undefined) extra[f.name] = values[f.name] as string;
  return {
    server: server.replace(/\/+$/, ''),
    filters,
    output: output as OutputMode,
    untilDone,
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(values['token-file'] !== undefined ? { tokenFile: values['token-file'] } : {}),
    ...(env.PULLTRACE_TOKEN !== undefined ? { envToken: env.PULLTRACE_TOKEN } : {}),
    help,
    extra,
  };
}

const RFC3339 = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)$/;

/** --since: an RFC 3339 time, or a duration meaning that long before `now`; epoch ms. */
export function parseSince(text: string, now: number): number {
  if (RFC3339.test(text)) {
    const at = Date.parse(text.replace(' ', 'T'));
    if (Number.isFinite(at)) return at;
  }
  const ago = parseDuration(text);
  if (ago !== undefined && ago >= 0 && !text.trim().startsWith('+')) return now - ago;
  throw new WatchUsageError(
    `--since: "${shown(text)}" is neither an RFC 3339 time (2026-01-02T15:04:05Z) nor a duration meaning that long ago (10m, 1h30m)`,
  );
}

/** --timeout: a positive duration, in ms. */
export function parseTimeout(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0 || !Number.isFinite(ms) || ms > 2 ** 31 - 1) {
    throw new WatchUsageError(`--timeout: "${shown(text)}" is not a positive duration below 24 days (examples: 30s, 10m, 1h)`);
  }
  return ms;
}

function checkServerUrl(text: string, from: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WatchUsageError(`${from}: "${shown(redactSecrets(text))}" is not a URL (example: --server http://pulltrace.example:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WatchUsageError(`${from}: "${shown(redactSecrets(text))}" must be an http:// or https:// URL`);
  }
}

/**
 * The query string of the server-side filters (the API matches substrings, case-insensitive).
 * The status filter stays on the client: servers differ in how they read `status=` (substring,
 * or exact lists with `active`), and the client applies it exactly in either case.
 */
export function filterQuery(filters: WatchFilters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (key !== 'status' && value) params.set(key, value);
  }
  return params.toString();
}

export function watchHelp(
  command = 'pulltrace watch',
  extraFlags: readonly FlagSpec[] = [],
  intro = 'Live pull progress from a Pulltrace server, in a terminal.',
): string {
  const lines = [`Usage: ${command} [flags]`, '', intro, '', 'Flags:'];
  for (const f of [...extraFlags, ...WATCH_FLAGS]) {
    lines.push(`  --${f.name}${f.boolean ? '' : '=…'}`);
    lines.push(`      ${f.help}`);
  }
  lines.push(
    '',
    'Keys on the live screen: ↑/↓ (or k/j) select a pull, Enter shows its layers, / filters by text,',
    's cycles the status filter, Esc clears filters, q quits.',
    'Colours only on a terminal; NO_COLOR turns them off.',
    '',
    'Exit codes: 0 every counted pull completed (or the watch was quit); 1 a pull failed, or the server',
    'could not be reached or refused; 2 bad flags; 3 --timeout passed (stderr names what is unfinished).',
  );
  return lines.join('\n');
}

/** A value as quoted back in an error: printable and short. */
function shown(text: string): string {
  return printable(text).slice(0, 100);
}
