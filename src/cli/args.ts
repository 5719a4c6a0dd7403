import { type CommandName, SettingError, settingsFor } from '../config/index.js';

export interface ParsedArgs {
  command: string | undefined;
  flags: Record<string, string | undefined>;
  help: boolean;
  version: boolean;
}

/** Splits argv into command and --flag=value / --flag value pairs; unknown flags are errors. */
export function parseArgs(argv: string[]): ParsedArgs {
  const out: ParsedArgs = { command: undefined, flags: {}, help: false, version: false };
  const rest = [...argv];
  if (rest[0] && !rest[0].startsWith('-')) out.command = rest.shift();
  const known = out.command && isCommand(out.command) ? new Set(settingsFor(out.command).map((s) => s.flag)) : new Set<string>();
  while (rest.length > 0) {
    const arg = rest.shift() as string;
    if (arg === '--help' || arg === '-h') {
      out.help = true;
      continue;
    }
    if (arg === '--version' || arg === '-v') {
      out.version = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new SettingError(`unexpected argument "${arg}" (see --help)`);
    const name = m[1] as string;
    if (!known.has(name)) {
      throw new SettingError(
        out.command
          ? `unknown flag --${name} for "${out.command}" (see pulltrace ${out.command} --help)`
          : `unknown flag --${name} (see --help)`,
      );
    }
    let value = m[2];
    if (value === undefined) {
      value = rest.shift();
      if (value === undefined) throw new SettingError(`--${name} needs a value`);
    }
    out.flags[name] = value;
  }
  return out;
}

export function isCommand(name: string): name is CommandName {
  return name === 'server' || name === 'agent' || name === 'standalone';
}
