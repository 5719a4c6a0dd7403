// The `pulltrace` command: help, version, and settings errors before anything starts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { runPulltrace } from './kit/index.js';

const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string;

test('bin/pulltrace (the built command) prints its version', async () => {
  const { stdout } = await promisify(execFile)(new URL('../bin/pulltrace', import.meta.url).pathname, ['--version']);
  assert.equal(stdout.trim(), `pulltrace ${version}`);
});

test('--help lists commands; <command> --help lists every setting with env and flag', async () => {
  const main = await runPulltrace(['--help']);
  assert.equal(main.code, 0);
  for (const cmd of ['server', 'agent', 'standalone']) assert.match(main.stdout, new RegExp(`\\b${cmd}\\b`));
  const server = await runPulltrace(['server', '--help']);
  assert.equal(server.code, 0);
  for (const s of ['--http-addr', 'PULLTRACE_HTTP_ADDR', '--stall-timeout', 'PULLTRACE_HISTORY_RETENTION', '--max-nodes'])
    assert.ok(server.stdout.includes(s), s);
});

const bad: Array<[string, string[], NodeJS.ProcessEnv, RegExp]> = [
  ['flag duration', ['server', '--stall-timeout', 'fast'], {}, /--stall-timeout: "fast" is not a duration \(examples: 500ms/],
  ['env duration', ['server'], { PULLTRACE_HISTORY_TTL: '10' }, /PULLTRACE_HISTORY_TTL: "10" is not a duration/],
  ['address', ['server', '--http-addr', 'localhost'], {}, /--http-addr: "localhost" is not host:port or :port/],
  ['log level', ['server', '--log-level', 'loud'], {}, /--log-level: "loud" is not one of debug, info, warn, error/],
  ['kubernetes mode', ['server', '--kubernetes=yes'], {}, /--kubernetes: "yes" is not one of auto, off/],
  ['namespaces', ['server', '--watch-namespaces', 'ok,Not_OK'], {}, /"Not_OK" is not a namespace name/],
  ['unknown flag', ['server', '--no-such-flag', '1'], {}, /unknown flag --no-such-flag/],
  ['unknown command', ['serve'], {}, /unknown command "serve"/],
  ['agent without server url', ['agent'], {}, /PULLTRACE_SERVER_URL \/ --server-url is required/],
  [
    'node name',
    ['agent', '--server-url', 'http://x:8080', '--node-name', 'Worker_1'],
    {},
    /--node-name: "Worker_1" is not a DNS-1123 subdomain/,
  ],
];
for (const [name, args, env, message] of bad) {
  test(`bad ${name}: exits non-zero before starting, naming the setting`, async () => {
    const r = await runPulltrace(args, env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stdout, /"msg":"listening"/);
  });
}

test('a mistyped history URL is refused, names the accepted forms, creates nothing and shows no password', async () => {
  const { existsSync } = await import('node:fs');
  for (const db of ['postgress://app:s3cret@db:5432/pulltrace', 'mysql://root:s3cret@db/pulltrace']) {
    const r = await runPulltrace([
      'server',
      '--db',
      db,
      '--http-addr',
      '127.0.0.1:0',
      '--metrics-addr',
      '127.0.0.1:0',
      '--kubernetes',
      'off',
    ]);
    assert.equal(r.code, 2, db);
    assert.match(r.stderr, /--db: \w+:\/\/ is not a history store Pulltrace knows; give a SQLite file path/);
    assert.doesNotMatch(r.stderr + r.stdout, /s3cret/);
    assert.equal(existsSync(db.split('/')[0] as string), false, `nothing named ${db.split('/')[0]} was created`);
  }
});

test('the flag wins over the environment variable', async () => {
  const r = await runPulltrace(['server', '--stall-timeout', 'bad-flag'], { PULLTRACE_STALL_TIMEOUT: '5s' });
  assert.match(r.stderr, /--stall-timeout: "bad-flag"/);
});

test('a start-up failure is one clear line and a non-zero exit: port in use, unusable history file', async () => {
  const { createServer } = await import('node:net');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-cli-'));
  try {
    const busy = await runPulltrace([
      'server',
      '--http-addr',
      `127.0.0.1:${port}`,
      '--metrics-addr',
      '127.0.0.1:0',
      '--db',
      ':memory:',
      '--kubernetes',
      'off',
    ]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, new RegExp(`pulltrace: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
    // The HTTP listener is already up when the metrics port fails: it must be closed so the process exits.
    const metricsBusy = await runPulltrace([
      'server',
      '--http-addr',
      '127.0.0.1:0',
      '--metrics-addr',
      `127.0.0.1:${port}`,
      '--db',
      ':memory:',
      '--kubernetes',
      'off',
    ]);
    assert.equal(metricsBusy.code, 1);
    assert.match(metricsBusy.stderr, /already in use/);
    const notDb = join(dir, 'history.db');
    writeFileSync(notDb, 'this is not a database\n');
    const bad = await runPulltrace([
      'server',
      '--http-addr',
      '127.0.0.1:0',
      '--metrics-addr',
      '127.0.0.1:0',
      '--db',
      notDb,
      '--kubernetes',
      'off',
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^pulltrace: .*history\.db/m);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('standalone listens on loopback by default; server keeps every interface', async () => {
  const { resolveSettings } = await import('../src/config/index.js');
  const standalone = resolveSettings('standalone', {}, {});
  assert.deepEqual(standalone.httpAddr, { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(standalone.metricsAddr, { host: '127.0.0.1', port: 9090 });
  const server = resolveSettings('server', {}, {});
  assert.deepEqual(server.httpAddr, { host: '', port: 8080 });
  assert.deepEqual(server.metricsAddr, { host: '', port: 9090 });
  const help = await runPulltrace(['standalone', '--help']);
  assert.match(help.stdout, /--http-addr=…\n\s+PULLTRACE_HTTP_ADDR {2}\(default: 127\.0\.0\.1:8080\)/);
  assert.match(help.stdout, /--metrics-addr=…\n\s+PULLTRACE_METRICS_ADDR {2}\(default: 127\.0\.0\.1:9090\)/);
});

test('standalone starts on a machine whose host name is not a node name (Dev_Box), reporting as dev-box', async () => {
  const { startProcess } = await import('./kit/index.js');
  const { pulltraceArgs } = await import('./kit/index.js');
  const { waitFor } = await import('./kit/index.js');
  // A UTS namespace of its own (root, as the suite runs) gives the process that host name.
  const script = 'echo Dev_Box > /proc/sys/kernel/hostname && exec "$0" "$@"';
  const args = ['standalone', '--http-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--db', ':memory:', '--kubernetes', 'off'];
  const p = startProcess(
    'unshare',
    ['--uts', 'sh', '-c', script, process.execPath, ...pulltraceArgs(), ...args, '--containerd-socket', '/nonexistent/pt.sock'],
    {
      name: 'pulltrace-dev-box',
    },
  );
  try {
    await waitFor(() => /"msg":"listening"/.test(p.stdout()), { timeoutMs: 20_000, what: `"listening" (stderr: ${p.stderr()})` });
    assert.doesNotMatch(p.stderr(), /DNS-1123/);
  } finally {
    await p.stop();
  }
});

test('standalone has no --server-url (its agent reports in-process): not in --help, refused as a flag', async () => {
  const help = await runPulltrace(['standalone', '--help']);
  assert.equal(help.code, 0);
  assert.doesNotMatch(help.stdout, /server-url|SERVER_URL/);
  const r = await runPulltrace(['standalone', '--server-url', 'http://x:8080']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^pulltrace: unknown flag --server-url for "standalone"/);
  const agentHelp = await runPulltrace(['agent', '--help']);
  assert.match(agentHelp.stdout, /--server-url/);
});

test('standalone says where it listens and how to open it up', async () => {
  const { startPulltrace } = await import('./kit/index.js');
  const { waitFor } = await import('./kit/index.js');
  const p = await startPulltrace([
    'standalone',
    '--http-addr',
    '127.0.0.1:0',
    '--metrics-addr',
    '127.0.0.1:0',
    '--db',
    ':memory:',
    '--kubernetes',
    'off',
    '--containerd-socket',
    '/nonexistent/pt.sock',
  ]);
  try {
    const line = await waitFor(() => p.logs().find((l) => /^web UI and API at /.test(String(l.msg))), {
      timeoutMs: 15_000,
      what: 'the standalone notice in the log',
    });
    const port = new URL(p.baseUrl).port;
    assert.match(
      String(line.msg),
      new RegExp(
        `^web UI and API at http://127\\.0\\.0\\.1:${port}/, metrics at http://127\\.0\\.0\\.1:\\d+/metrics; reachable from this machine only \\(to serve other machines: --http-addr :0`,
      ),
    );
  } finally {
    await p.stop();
  }
});
