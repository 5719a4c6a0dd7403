// Runs Node's built-in test runner over every *.test.ts under the given folders
// (default: src, test and bench). Node 20's --test does not expand globs, so we list files here.
// Files start slowest first (measured with scripts/test-durations.mjs): with two at a time, a long
// file started last would run alone at the end; started first, the short ones fill in beside it.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeToRunOn } from './lts-node.mjs';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unit = process.argv.includes('--unit');
const extra = process.argv.slice(2).filter((a) => a.startsWith('-') && a !== '--unit');

/**
 * `--unit` (npm run test:unit): every fast test — the unit tests beside the code, the web UI's
 * logic and component suites, the test kit's and the benchmarks' own helpers. None starts
 * containerd, a registry, a `pulltrace` process or Chromium; together they take well under a minute.
 */
export const UNIT_ROOTS = ['src', 'web', 'test/ui/unit', 'test/ui/components', 'test/kit', 'bench/lib', 'test/runTestsOrder.test.ts'];

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/**
 * Path prefixes in the order their files start, slowest first (measured with
 * scripts/test-durations.mjs: these files each take 25 s to 2 min, mostly waiting on real
 * containerd pulls, Chromium and restarts). Anything else starts after them, in name order.
 */
export const SLOW_FIRST = [
  'test/watch/watchLines',
  'test/server/replicas',
  'test/server/natsAuth',
  'test/agent/hugeImage',
  'test/agent/versions/',
  'test/agent/crio/crioScenarios',
  'test/server/agentAuth',
  'test/server/tokenReviewOutage',
  'test/watch/',
  'test/ui/layout',
  'test/kubectl/',
  'test/ui/rollout',
  'test/server/historyPostgres',
  'test/cli',
  'test/agent/identityAndTls',
  'test/server/connectionLimits',
  'test/ui/realAgent',
  'test/agent/',
  'test/ui/',
  'test/server/',
  'test/kube/',
  'test/docs/',
  'test/logs/',
  'test/chart/',
];

/** The order files start in: by their first matching SLOW_FIRST prefix, then by name. */
export function startOrder(files, slowFirst = SLOW_FIRST, root = process.cwd()) {
  const rank = (file) => {
    const path = relative(root, resolve(file)).split(sep).join('/');
    const i = slowFirst.findIndex((prefix) => path.startsWith(prefix));
    return i === -1 ? slowFirst.length : i;
  };
  return [...files].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

const REPO = fileURLToPath(new URL('..', import.meta.url));

/**
 * Variables of the caller's shell that change how programs draw (colour, terminal kind, CI
 * detection). The tests set the ones they test themselves; inherited, they would make a result
 * depend on whoever runs `npm test` (NO_COLOR=1 in a profile turned a colour test red).
 */
export const CALLER_DISPLAY_VARIABLES = ['NO_COLOR', 'FORCE_COLOR', 'CLICOLOR', 'CLICOLOR_FORCE', 'CI', 'TERM', 'COLORTERM'];

/** The environment the tests run in: the caller's, without its display variables, and a plain colour terminal's TERM. */
export function testEnvironment(env) {
  const out = { ...env };
  for (const name of CALLER_DISPLAY_VARIABLES) delete out[name];
  out.TERM = 'xterm-256color';
  return out;
}

function main() {
  const files = (roots.length ? roots : unit ? UNIT_ROOTS : ['src', 'test', 'bench']).flatMap((r) => {
    try {
      return statSync(r).isDirectory() ? findTests(r) : [r];
    } catch {
      return [];
    }
  });
  if (files.length === 0) {
    console.error('no test files found');
    process.exit(1);
  }
  const ordered = startOrder(files, SLOW_FIRST, REPO);
  // The tests run on the LTS Node (scripts/lts-node.mjs) also when this was started by another one;
  // first on their PATH too, for what they start as `node` or `#!/usr/bin/env node`.
  const node = nodeToRunOn();
  const env = testEnvironment(process.env);
  if (node !== process.execPath) env.PATH = `${dirname(node)}:${env.PATH ?? ''}`;
  // TAP, as Node 20 printed by default off a terminal (Node 24 prints `spec` there): the same
  // `ok` / `not ok` lines for whoever reads a CI log.
  const child = spawn(node, ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=2', ...extra, ...ordered], {
    stdio: 'inherit',
    env,
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
