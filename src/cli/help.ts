import { type CommandName, defaultFor, settingsFor } from '../config/index.js';

export const COMMANDS: Record<string, string> = {
  server: 'aggregation server: API, SSE, web UI, metrics, history store',
  agent: 'node agent: reads the local containerd, reports to a server',
  standalone: 'server and agent in one process, for one machine (what `npm start` runs)',
  watch: 'live pull progress from a server in a terminal (`pulltrace watch --help`)',
};

export function mainHelp(): string {
  const lines = ['Usage: pulltrace <command> [flags]', '', 'Live container image pull progress for Kubernetes.', '', 'Commands:'];
  for (const [name, what] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(12)} ${what}`);
  lines.push('', 'Flags:', '  --help       usage of a command', '  --version    print the version', '');
  lines.push('Every setting has an environment variable and a flag; the flag wins. Run `pulltrace <command> --help`.');
  return lines.join('\n');
}

export function commandHelp(command: CommandName): string {
  const lines = [
    `Usage: pulltrace ${command} [flags]`,
    '',
    COMMANDS[command] ?? '',
    '',
    'Settings (flag / environment variable, default):',
  ];
  for (const s of settingsFor(command)) {
    lines.push(`  --${s.flag}=…`);
    const text = command === 'standalone' && s.standaloneDefault ? defaultFor(s, command) : (s.defaultDoc ?? s.default);
    lines.push(`      ${s.env}  (default: ${text === '' ? 'empty' : text})`);
    lines.push(`      ${s.help}`);
  }
  return lines.join('\n');
}
