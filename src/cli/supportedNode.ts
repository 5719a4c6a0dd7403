// The bins (`pulltrace`, `kubectl-pulltrace`) run on Node.js 24 or later (package.json "engines").
// On an older Node — the machine's Node 20 starting a command put on the PATH by `npm link` — a
// checkout hands the command to the Node.js 24 that `npm ci` fetched (node_modules/.bin/node, see
// scripts/lts-node.mjs), whose ABI better-sqlite3 was built for; anywhere else it refuses with one
// sentence instead of failing later on a native addon or a missing API.
// Imports nothing but Node's own modules: it runs before the CLI is loaded.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The oldest Node.js major the product supports (package.json "engines"; a test checks they agree). */
export const SUPPORTED_NODE_MAJOR = 24;

export type NodeChoice = { kind: 'here' } | { kind: 'hand-over'; node: string } | { kind: 'refuse'; message: string };

/** What a bin does on this Node: go on, hand over to the checkout's LTS Node, or refuse. */
export function chooseNode(version: string, checkoutNode: string | undefined, command: string): NodeChoice {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? Number.NaN);
  if (major >= SUPPORTED_NODE_MAJOR) return { kind: 'here' };
  if (checkoutNode) return { kind: 'hand-over', node: checkoutNode };
  return {
    kind: 'refuse',
    message: `${command} needs Node.js ${SUPPORTED_NODE_MAJOR} or later; this is Node.js ${version}. Install Node.js ${SUPPORTED_NODE_MAJOR} (https://nodejs.org/), or run \`npm ci\` in the checkout, which fetches it.`,
  };
}

/** The checkout's LTS Node relative to this module (dist/cli/), when `npm ci` fetched it. */
function checkoutNode(): string | undefined {
  const node = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url));
  return existsSync(node) ? node : undefined;
}

/**
 * True when the caller should run the command in this process. Otherwise the command was handed
 * to the LTS Node (same arguments, stdio and environment; its exit code or signal becomes this
 * process's) or refused (exit code 1), and the caller does nothing more.
 */
export function runOnSupportedNode(command: string): boolean {
  const choice = chooseNode(process.version, checkoutNode(), command);
  if (choice.kind === 'here') return true;
  if (choice.kind === 'refuse') {
    console.error(choice.message);
    process.exitCode = 1;
    return false;
  }
  const child = spawn(choice.node, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  // Ctrl-C reaches both through the terminal, so SIGINT is only kept from ending this process (passed
  // on it would arrive twice, and a second SIGINT ends the server without its clean stop); SIGTERM
  // and SIGHUP, sent to this process alone (a service manager, `kill`), are passed on.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    console.error(`${command}: cannot start ${choice.node}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
  return false;
}
