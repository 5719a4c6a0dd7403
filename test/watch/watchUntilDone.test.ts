// `pulltrace watch --until-done` against a real server fed synthetic agent reports: pulls that had
// finished before the watch started (kept for HISTORY_TTL, and sent again in every snapshot) do not
// end it; a pull that starts afterwards does; --since counts recent finished ones; --timeout exits 3
// naming what it waited for; and once connected it says so on stderr with pull and agent counts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MB,
  postReportOk,
  pulltraceArgs,
  report,
  reportEvery,
  runPulltrace,
  startProcess,
  startServer,
  syntheticPull,
  type TestServer,
  waitFor,
} from '../kit/index.js';

const LAYERS = [{ size: 60 * MB }, { size: 40 * MB }];
const IMAGE = 'registry.example.com/ud/app:1';
const CONNECTED = /^# connected to http:\/\/127\.0\.0\.1:\d+: (\d+) matching pulls?, (\d+) agents? reporting(?:, (\d+) silent)?$/m;

/** Two nodes whose pulls of IMAGE finished `minutesAgo` ago: one completed, one failed. */
async function stalePulls(server: TestServer, minutesAgo: number): Promise<void> {
  const startedAt = new Date(Date.now() - minutesAgo * 60_000).toISOString();
  await postReportOk(
    server.url,
    report('stale-ok', [syntheticPull({ imageRef: IMAGE, startedAt, layers: LAYERS, downloaded: 100 * MB, status: 'completed' })]),
  );
  await postReportOk(
    server.url,
    report('stale-bad', [
      syntheticPull({ imageRef: IMAGE, startedAt, layers: LAYERS, downloaded: 10 * MB, status: 'failed', error: 'unexpected EOF' }),
    ]),
  );
  await waitFor(
    async () => {
      const { pulls } = (await (await fetch(`${server.url}/api/v1/pulls`)).json()) as { pulls: Array<{ status: string }> };
      return pulls.length === 2 && pulls.every((p) => p.status === 'completed' || p.status === 'failed');
    },
    { timeoutMs: 15_000, what: `the server to list both finished pulls\n${server.output()}` },
  );
}

test('pulls finished before the watch started do not end --until-done; a new pull completing does (exit 0); the connected line', async (t) => {
  const server = await startServer({ extraArgs: ['--node-report-rate', '100'] });
  await stalePulls(server, 2);
  const watcher = startProcess(
    process.execPath,
    [...pulltraceArgs(), 'watch', '--server', server.url, '--image', 'ud/app', '--until-done'],
    {
      name: 'pulltrace watch',
    },
  );
  let feed: { stop(): Promise<void> } | undefined;
  t.after(async () => {
    await watcher.stop();
    await feed?.stop().catch(() => {});
    await server.stop();
  });
  // The connected line and the --until-done line are two writes: wait for both.
  await waitFor(() => CONNECTED.test(watcher.stderr()) && /^# --until-done: /m.test(watcher.stderr()), {
    timeoutMs: 20_000,
    what: `the connected and --until-done lines\n${watcher.stderr()}`,
  });
  const [, pulls, reporting, silent] = CONNECTED.exec(watcher.stderr()) as RegExpExecArray;
  assert.equal(pulls, '2');
  assert.equal(Number(reporting) + Number(silent ?? 0), 2, watcher.stderr());
  assert.match(
    watcher.stderr(),
    /^# --until-done: waiting for 0 running pulls and any that start after \S+Z; 2 that finished before are not counted$/m,
  );

  const startedAt = new Date().toISOString();
  let got = 0;
  feed = reportEvery(server.url, 'new-node', () => {
    got = Math.min(got + 25 * MB, 100 * MB);
    return [
      syntheticPull({ imageRef: IMAGE, startedAt, layers: LAYERS, downloaded: got, ...(got === 100 * MB ? { status: 'completed' } : {}) }),
    ];
  });
  const result = await watcher.exited;
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stderr, /^# all 1 matched pulls completed$/m);
  assert.match(result.stdout, /new-node {2}registry\.example\.com\/ud\/app:1 {2}completed {2}100\.0%$/m);
  assert.match(result.stdout, /^== registry\.example\.com\/ud\/app:1 {2}1 node: 1 done/m, 'the summary counts only the new pull');
  const controls = [...(result.stdout + result.stderr)].filter((c) => c !== '\n' && (c < ' ' || c === '\x7f'));
  assert.deepEqual(controls, [], 'no control characters');
});

test('--timeout with nothing new exits 3 saying no pull started; with a pull stuck, naming it', async (t) => {
  const server = await startServer({ extraArgs: ['--node-report-rate', '100'] });
  let stuck: { stop(): Promise<void> } | undefined;
  t.after(async () => {
    await stuck?.stop().catch(() => {});
    await server.stop();
  });
  await stalePulls(server, 2);
  const idle = await runPulltrace(['watch', '--server', server.url, '--image', 'ud/app', '--until-done', '--timeout', '2s']);
  assert.equal(idle.code, 3, idle.stderr);
  assert.match(
    idle.stderr,
    /^# timed out after 2s: no matching pull started since \d{4}-\d\d-\d\dT[\d:.]+Z \(an image already on every node is not pulled again\)$/m,
  );
  assert.doesNotMatch(idle.stderr, /matched pulls (completed|failed)/);

  const startedAt = new Date().toISOString();
  stuck = reportEvery(server.url, 'stuck-node', () => [syntheticPull({ imageRef: IMAGE, startedAt, layers: LAYERS, downloaded: 30 * MB })]);
  const busy = await runPulltrace(['watch', '--server', server.url, '--image', 'ud/app', '--until-done', '--timeout', '2s']);
  assert.equal(busy.code, 3, busy.stderr);
  assert.match(
    busy.stderr,
    /^# timed out after 2s: 1 of 1 pulls still unfinished: stuck-node registry\.example\.com\/ud\/app:1 \(pulling 30\.0%\)$/m,
  );
});

test('--since counts pulls that finished since then: a failure 2 minutes ago with --since 5m exits 1 at once', async (t) => {
  const server = await startServer({ extraArgs: ['--node-report-rate', '100'] });
  t.after(() => server.stop());
  await stalePulls(server, 2);
  const recent = await runPulltrace([
    'watch',
    '--server',
    server.url,
    '--image',
    'ud/app',
    '--until-done',
    '--since',
    '5m',
    '--timeout',
    '30s',
  ]);
  assert.equal(recent.code, 1, recent.stderr);
  assert.match(recent.stderr, /^# 1 of 2 matched pulls failed$/m);
  const older = await runPulltrace([
    'watch',
    '--server',
    server.url,
    '--image',
    'ud/app',
    '--until-done',
    '--since',
    '1m',
    '--timeout',
    '2s',
  ]);
  assert.equal(older.code, 3, older.stderr);
});

test('--help lists --since, --timeout and the exit codes 0/1/2/3; a bad --timeout exits 2 naming it', async () => {
  const help = await runPulltrace(['watch', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^ {2}--since=…$/m);
  assert.match(help.stdout, /^ {2}--timeout=…$/m);
  assert.match(help.stdout, /^Exit codes: 0 every counted pull completed .*; 1 a pull failed.*\n.*; 2 bad flags; 3 --timeout passed/m);
  const bad = await runPulltrace(['watch', '--until-done', '--timeout', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^pulltrace watch: --timeout: "soon" is not a positive duration/m);
});
