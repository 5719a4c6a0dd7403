// What `pulltrace agent` loads. The agent runs on every node, so each library it carries is paid
// once per node: it must not load the server's (HTTP framework, databases, message bus, Kubernetes
// client, metrics, the UI) nor the schema library. The built command is started as installed
// (bin/pulltrace, dist/) with hooks that record every ES module and CommonJS file it loads; it stops
// at its first containerd call (no socket here), after every import of the agent has run.
// The V8 flags documented for the agent (agent.nodeOptions) are checked the same way: Node accepts
// them in NODE_OPTIONS and the agent loads under them (--jitless has no WebAssembly).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';

const BIN = new URL('../../bin/pulltrace', import.meta.url).pathname;
const NOT_FOR_THE_AGENT = [
  'fastify',
  '@fastify/static',
  'pg',
  'nats',
  'better-sqlite3',
  '@kubernetes/client-node',
  'prom-client',
  'react',
  'react-dom',
  'pino-pretty',
  'log-update',
  '@sinclair/typebox',
];

const dir = mkdtempSync(join(tmpdir(), 'pt-agent-modules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The npm package a loaded file belongs to ('' for the project's own files and Node built-ins). */
function packageOf(file: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
  return m ? m[1]! : '';
}

test('`pulltrace agent` loads the agent and none of the server, the UI or the schema library', async () => {
  const esmLog = join(dir, 'esm.txt');
  const cjsLog = join(dir, 'cjs.txt');
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(${JSON.stringify(esmLog)}, url + '\\n'); return next(url, context); }`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(hooks).href)});`);
  const cjs = join(dir, 'cjs.cjs');
  writeFileSync(
    cjs,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(cjsLog)}, Object.keys(require('node:module')._cache).join('\\n')));`,
  );

  const run = await promisify(execFile)(process.execPath, ['--require', cjs, '--import', pathToFileURL(register).href, BIN, 'agent'], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      PULLTRACE_SERVER_URL: 'http://127.0.0.1:9',
      PULLTRACE_NODE_NAME: 'modules-test',
      PULLTRACE_CONTAINERD_SOCKET: join(dir, 'no-containerd.sock'),
    },
  }).catch((err: { code?: number; stdout: string; stderr: string }) => err);
  // It got as far as the socket: every module of the agent was imported by then.
  assert.match(run.stderr, /containerd socket .*no-containerd\.sock does not exist/, run.stderr);

  const files = [...readFileSync(esmLog, 'utf8').split('\n'), ...readFileSync(cjsLog, 'utf8').split('\n')].filter(Boolean);
  const packages = new Set(files.map(packageOf).filter(Boolean));
  assert.ok(
    files.some((f) => f.includes('/dist/agent/agentLoop.js')),
    'the agent loop was loaded (the hooks saw the agent)',
  );
  assert.ok(packages.has('@grpc/grpc-js') && packages.has('pino'), `the agent's own libraries were seen: ${[...packages].join(', ')}`);
  const unwanted = NOT_FOR_THE_AGENT.filter((p) => packages.has(p));
  assert.deepEqual(unwanted, [], `loaded by \`pulltrace agent\`: ${unwanted.join(', ')}`);
  const serverFiles = files.filter((f) => /\/dist\/(server|store\/(?!postgres\/postgresUrl)|k8s|watch|kubectl|rollout)\//.test(f));
  assert.deepEqual(serverFiles, [], 'no server, history, Kubernetes or watch code');
});

// The flags the chart documents for clusters short of memory (agent.nodeOptions), and the chart's
// own value when it sets one.
test('the V8 flags documented for the agent are accepted by Node and the agent starts under them', async () => {
  const values = parseYaml(readFileSync(new URL('../../charts/pulltrace/values.yaml', import.meta.url), 'utf8'));
  const chartValue: string = values.agent.nodeOptions;
  for (const nodeOptions of new Set(['--jitless --max-semi-space-size=1', ...(chartValue ? [chartValue] : [])])) {
    const run = await promisify(execFile)(process.execPath, [BIN, 'agent'], {
      env: {
        ...process.env,
        NODE_OPTIONS: nodeOptions,
        PULLTRACE_SERVER_URL: 'http://127.0.0.1:9',
        PULLTRACE_NODE_NAME: 'flags-test',
        PULLTRACE_CONTAINERD_SOCKET: join(dir, 'no-containerd.sock'),
      },
    }).catch((err: { stderr: string }) => err);
    assert.match(
      run.stderr,
      /containerd socket .*no-containerd\.sock does not exist/,
      `under NODE_OPTIONS="${nodeOptions}": ${run.stderr}`,
    );
  }
});
