import {
  type AgentSettings,
  type CommandName,
  maskSecrets,
  resolveSettings,
  SETTINGS,
  type ServerSettings,
  SettingError,
  type StandaloneSettings,
  secretsOf,
} from '../config/index.js';
import { createLogger, type Logger, resolveLogFormat } from '../log/index.js';
import { VERSION } from '../version.js';
import { isCommand, parseArgs } from './args.js';
import { commandHelp, mainHelp } from './help.js';
import { standaloneNotice } from './standaloneNotice.js';

/** Runs `pulltrace …`; resolves with an exit code, or undefined while servers keep running. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  // A client command with its own flags (not daemon settings); it loads none of the server.
  if (argv[0] === 'watch') {
    const { runWatchCommand } = await import('../watch/index.js');
    return runWatchCommand(argv.slice(1), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env });
  }
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (err) {
    return usageError(err);
  }
  if (args.version) {
    console.log(`pulltrace ${VERSION}`);
    return 0;
  }
  if (!args.command) {
    console.log(mainHelp());
    return args.help ? 0 : 2;
  }
  if (!isCommand(args.command)) {
    console.error(`pulltrace: unknown command "${args.command}"\n\n${mainHelp()}`);
    return 2;
  }
  if (args.help) {
    console.log(commandHelp(args.command));
    return 0;
  }
  const command = args.command;
  // What the command was given that must not be shown back (a password in --db, a token in --bus).
  const secrets = commandSecrets(args.flags, env);
  let resolved: ResolvedCommand;
  try {
    resolved = resolveCommand(command, args.flags, env);
  } catch (err) {
    return usageError(err, secrets);
  }

  const { logFormat: format, logLevel } = resolved.settings;
  const logger = createLogger(logLevel, undefined, resolveLogFormat(format, Boolean(process.stdout.isTTY)));
  const stops: Array<() => Promise<void>> = [];
  onShutdown(logger, stops);

  try {
    // Each command loads only what it runs: an agent on every node need not carry the server,
    // SQLite and the Kubernetes client in memory (about half its RSS).
    if (resolved.command === 'server' || resolved.command === 'standalone') {
      const settings = resolved.settings;
      const { startServer } = await import('../server/index.js');
      const server = await startServer(settings, logger);
      stops.unshift(() => server.close());
      if (resolved.command === 'standalone') {
        // The in-process agent reports to this server's own listener, through the same path as remote agents.
        const agentSettings: AgentSettings = { ...resolved.settings, serverUrl: server.loopbackUrl };
        const { followsAllNamespaces, startAgent } = await import('../agent/index.js');
        const allNamespaces = followsAllNamespaces({
          kubernetes: server.kubernetes,
          namespaceGiven: args.flags['containerd-namespace'] !== undefined || env.PULLTRACE_CONTAINERD_NAMESPACE !== undefined,
        });
        const agent = await startAgent(agentSettings, logger.child({ component: 'agent' }), { standalone: true, allNamespaces });
        stops.unshift(() => agent.close());
        logger
          .child({}, { level: 'info' })
          .info(standaloneNotice(settings.httpAddr, server.httpPort, settings.metricsAddr, server.metricsPort));
      }
    } else {
      const { startAgent } = await import('../agent/index.js');
      const agent = await startAgent(resolved.settings, logger.child({ component: 'agent' }), { standalone: false });
      stops.unshift(() => agent.close());
    }
  } catch (err) {
    // A start-up failure (port in use, unreadable history file, not containerd) is a message, not a stack.
    const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
    logger.debug({ err: maskSecrets(stack, secrets) }, 'start-up failed');
    console.error(`pulltrace: ${maskSecrets(describeStartupError(err), secrets)}`);
    await Promise.allSettled(stops.map((s) => s()));
    logger.flush();
    return 1;
  }
  return undefined;
}

/** A command with its settings, typed for that command. */
type ResolvedCommand =
  | { command: 'server'; settings: ServerSettings }
  | { command: 'agent'; settings: AgentSettings }
  | { command: 'standalone'; settings: StandaloneSettings };

function resolveCommand(command: CommandName, flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv): ResolvedCommand {
  switch (command) {
    case 'server':
      return { command, settings: resolveSettings(command, flags, env) };
    case 'agent':
      return { command, settings: resolveSettings(command, flags, env) };
    case 'standalone':
      return { command, settings: resolveSettings(command, flags, env) };
  }
}

function describeStartupError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.code === 'EADDRINUSE')
    return `cannot listen on ${e.address ?? ''}:${e.port ?? ''}: the address is already in use (choose another with --http-addr / --metrics-addr)`;
  if (e?.code === 'EACCES' && e.syscall === 'listen')
    return `cannot listen on ${e.address ?? ''}:${e.port ?? ''}: permission denied (ports below 1024 need privileges)`;
  return err instanceof Error ? err.message : String(err);
}

/** The secret parts of the flags and PULLTRACE_* variables (settingSecrets.ts). */
function commandSecrets(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv): string[] {
  const given = (values: Array<string | undefined>) => values.filter((v): v is string => typeof v === 'string');
  const all = given([...Object.values(flags), ...Object.entries(env).flatMap(([k, v]) => (k.startsWith('PULLTRACE_') ? [v] : []))]);
  const secret = given(SETTINGS.filter((s) => s.secret).flatMap((s) => [flags[s.flag], env[s.env]]));
  return secretsOf(all, secret);
}

function usageError(err: unknown, secrets: readonly string[] = []): number {
  if (err instanceof SettingError) {
    console.error(`pulltrace: ${maskSecrets(err.message, secrets)}`);
    return 2;
  }
  throw err;
}

function onShutdown(logger: Logger, stops: Array<() => Promise<void>>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    Promise.allSettled(stops.map((s) => s())).then(() => {
      logger.flush();
      process.exit(0);
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
