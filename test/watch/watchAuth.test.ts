// `pulltrace watch` behind an authenticating proxy: a small proxy in front of the real server lets
// through only `Authorization: Bearer <token>` (streaming the event stream as it comes). The token
// from --token-file or PULLTRACE_TOKEN gets through and is never printed; without it the 401 is
// reported; credentials in the server URL are masked in every message. A "server" that sends an
// event-stream line past 1 MiB ends the watch with a clear error instead of growing its memory.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  kubectlPulltraceArgs,
  MB,
  makeTempDir,
  postReportOk,
  pulltraceArgs,
  removeDir,
  report,
  runProcess,
  startProcess,
  startServer,
  syntheticPull,
  type TestServer,
  waitFor,
} from '../kit/index.js';

const TOKEN = 'pt-watch-token-7c1f93e2';
// biome-ignore lint/suspicious/noControlCharactersInRegex: colour (SGR) sequences
const COLOUR = /\x1b\[[0-9;]*m/g;
const IMAGE = 'registry.example.com/auth/app:1';

let server: TestServer;
let proxy: http.Server;
let proxyUrl: string;
let dir: string;
let tokenFile: string;
/** the Authorization header of every request the proxy saw */
const seen: Array<{ path: string; authorization: string | undefined }> = [];

/** Listens on a free loopback port; resolves with the base URL. */
async function listen(s: http.Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

before(async () => {
  server = await startServer();
  const target = new URL(server.url);
  proxy = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      res.end(JSON.stringify({ message: 'a valid bearer token is required' }));
      return;
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  proxyUrl = await listen(proxy);
  dir = await makeTempDir('pulltrace-watch-auth-');
  tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
});

after(async () => {
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await server?.stop();
  if (dir) await removeDir(dir);
});

function runWatch(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runProcess(process.execPath, [...pulltraceArgs(), 'watch', ...args], {
    name: 'pulltrace watch',
    env: { ...process.env, PULLTRACE_TOKEN: undefined, PULLTRACE_SERVER_URL: undefined, ...env },
    timeoutMs: 60_000,
  });
}

test('--token-file and PULLTRACE_TOKEN get through an authenticating proxy, the event stream too; the token is never printed', async (t) => {
  for (const [how, args, env] of [
    ['--token-file', ['--token-file', tokenFile], {}],
    ['PULLTRACE_TOKEN', [], { PULLTRACE_TOKEN: TOKEN }],
  ] as Array<[string, string[], NodeJS.ProcessEnv]>) {
    const node = how === 'PULLTRACE_TOKEN' ? 'auth-env' : 'auth-file';
    const startedAt = new Date().toISOString();
    const pull = (done: boolean) =>
      report(node, [
        syntheticPull({
          imageRef: IMAGE,
          startedAt,
          layers: [{ size: MB }],
          downloaded: done ? MB : 0,
          ...(done ? { status: 'completed' } : {}),
        }),
      ]);
    await postReportOk(server.url, pull(false));
    seen.length = 0;
    const watch = startProcess(
      process.execPath,
      [...pulltraceArgs(), 'watch', '--server', proxyUrl, '--node', node, '--output', 'plain', '--until-done', ...args],
      {
        name: `pulltrace watch (${how})`,
        env: { ...process.env, PULLTRACE_TOKEN: undefined, PULLTRACE_SERVER_URL: undefined, ...env },
      },
    );
    t.after(() => watch.stop());
    // The pull completes once watch follows the stream, so the change comes through the proxied SSE.
    await waitFor(() => seen.some((r) => r.path.startsWith('/api/v1/events')), {
      timeoutMs: 30_000,
      what: `${how}: watch to open the event stream through the proxy\n${watch.stderr()}`,
    });
    await postReportOk(server.url, pull(true));
    const result = await watch.exited;
    assert.equal(result.code, 0, `${how}: ${result.stderr}`);
    // Colours only if the caller's FORCE_COLOR asks for them; the text is the same.
    assert.match(
      result.stdout.replace(COLOUR, ''),
      new RegExp(`${node} {2}${IMAGE.replace(/[./]/g, '\\$&')} {2}completed {2}100\\.0%`),
      how,
    );
    assert.ok(
      seen.every((r) => r.authorization === `Bearer ${TOKEN}`),
      `${how}: every request carried the token`,
    );
    assert.ok(!`${result.stdout}${result.stderr}`.includes(TOKEN), `${how}: the token is not printed`);
  }
});

test('without a token the 401 is reported; credentials in the URL are masked in every message', async () => {
  const refused = await runWatch(['--server', proxyUrl.replace('http://', 'http://alice:hunter2@'), '--output', 'plain']);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /^pulltrace watch: http:\/\/<redacted>@127\.0\.0\.1:\d+ answered HTTP 401 to \/api\/v1\/pulls: a valid bearer token is required$/m,
  );
  const unreachable = await runWatch(['--server', 'http://alice:hunter2@127.0.0.1:1', '--output', 'plain']);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /cannot reach http:\/\/<redacted>@127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  const bad = await runWatch(['--server', 'ftp://alice:hunter2@127.0.0.1:1']);
  assert.equal(bad.code, 2);
  for (const run of [refused, unreachable, bad]) assert.ok(!`${run.stdout}${run.stderr}`.includes('hunter2'), run.stderr);
});

test('a missing or empty token file is a usage error naming the file, before anything connects', async () => {
  seen.length = 0;
  const missing = await runWatch(['--server', proxyUrl, '--token-file', join(dir, 'absent')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--token-file: cannot read ".*absent" \(ENOENT\)/);
  const empty = join(dir, 'empty');
  writeFileSync(empty, '\n');
  const blank = await runWatch(['--server', proxyUrl, '--token-file', empty]);
  assert.equal(blank.code, 2);
  assert.match(blank.stderr, /--token-file: the token in ".*empty" is empty/);
  assert.equal(seen.length, 0, 'nothing was sent');
});

test('an event-stream line past 1 MiB ends the watch with a clear error', async (t) => {
  let sent = 0;
  const huge = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/v1/pulls')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"pulls":[]}');
      return;
    }
    if (req.url?.startsWith('/api/v1/agents')) {
      res.writeHead(404).end(); // an older server
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // 2 MiB in one data line with no end, in pieces: a client without a limit would keep it all.
    const piece = 'x'.repeat(64 * 1024);
    res.write('data: ');
    const more = () => {
      while (sent < 2 * 1024 * 1024) {
        sent += piece.length;
        if (!res.write(piece)) return void res.once('drain', more);
      }
    };
    more();
    res.on('error', () => {});
  });
  const url = await listen(huge);
  t.after(async () => {
    huge.closeAllConnections();
    await new Promise((resolve) => huge.close(resolve));
  });
  const run = await runWatch(['--server', url, '--output', 'plain']);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /pulltrace watch: the event stream sent a line larger than 1 MiB \(the limit\)/);
});

test('kubectl pulltrace refuses --token-file, saying why (the API server takes the Authorization header)', async () => {
  const run = await runProcess(process.execPath, [...kubectlPulltraceArgs(), '--token-file', tokenFile], {
    name: 'kubectl-pulltrace',
    env: { ...process.env },
    timeoutMs: 60_000,
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /kubectl pulltrace: --token-file is not used here: the API server takes the Authorization header for itself/);
});
