// `pulltrace watch` without a terminal: one line per change in plain, wide and JSON forms (checked
// line by line; JSON lines against the published event schema), --until-done exit codes, the
// reconnect notice with Last-Event-ID, and clear errors for bad flags and an unreachable server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  freePort,
  MB,
  metricValue,
  publishedValidator,
  pulltraceArgs,
  reportEvery,
  runPulltrace,
  startProcess,
  startServer,
  syntheticPull,
  waitFor,
} from '../kit/index.js';

const LAYERS = [{ size: 60 * MB }, { size: 40 * MB }];
/** Resolves once the server counts `n` open event streams (watch has seeded its table and follows the stream). */
async function streamsOpen(metricsUrl: string, n: number): Promise<void> {
  await waitFor(async () => (metricValue(await (await fetch(metricsUrl)).text(), 'pulltrace_sse_clients_active') ?? 0) >= n, {
    timeoutMs: 30_000,
    what: 'watch to open its event stream',
  });
}

const PULL_LINE = /^\d\d:\d\d:\d\d {2}(\S+) {2}(\S+) {2}(pulling|stalled|unpacking|completed|failed) {2}(\d+\.\d)%/;

/**
 * A node whose pull advances `step` bytes per report and ends as `end` once all is downloaded (or at
 * `failAt`). While `gate` says no, the pull stays at 0 bytes: a test opens it once watch follows the
 * stream, so watch sees the pull move and end instead of finding it already finished.
 */
function feedPull(
  url: string,
  node: string,
  imageRef: string,
  step: number,
  end: { failAt?: number; error?: string } = {},
  gate: () => boolean = () => true,
) {
  const startedAt = new Date().toISOString();
  let got = 0;
  return reportEvery(url, node, () => {
    if (gate()) got = Math.min(got + step, 100 * MB);
    if (end.failAt !== undefined && got >= end.failAt) {
      return [
        syntheticPull({ imageRef, startedAt, layers: LAYERS, downloaded: end.failAt, status: 'failed', error: end.error ?? 'failed' }),
      ];
    }
    return [syntheticPull({ imageRef, startedAt, layers: LAYERS, downloaded: got, ...(got === 100 * MB ? { status: 'completed' } : {}) })];
  });
}

test('--output json: every line is a PullEvent of the published schema, progress never goes back, exit 0 on completion', async (t) => {
  const server = await startServer({ extraArgs: ['--node-report-rate', '100'] });
  let open = false;
  const feed = feedPull(server.url, 'json-node', 'registry.example.com/json/app:1', 20 * MB, {}, () => open);
  t.after(async () => {
    await feed.stop();
    await server.stop();
  });
  const run = runPulltrace(['watch', '--server', server.url, '--image', 'json/app', '--output', 'json', '--until-done']);
  await streamsOpen(server.metricsUrl, 1);
  open = true;
  const result = await run;
  assert.equal(result.code, 0, result.stderr);
  const validate = publishedValidator('pull-event-v1.json');
  const events = result.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; pull: { imageRef: string; percent: number; status: string } });
  assert.ok(events.length >= 2, result.stdout);
  let percent = -1;
  for (const event of events) {
    assert.ok(validate(event), `${validate.describe()}\n${JSON.stringify(event)}`);
    assert.equal(event.pull.imageRef, 'registry.example.com/json/app:1');
    assert.ok(event.pull.percent >= percent, 'percent never decreases');
    percent = event.pull.percent;
  }
  assert.equal(events.at(-1)?.type, 'pull.completed');
  assert.equal(events.at(-1)?.pull.status, 'completed');
  assert.match(result.stderr, /^# all 1 matched pulls completed$/m);
});

test('plain: one line per change, the failure with its error, the image summary; --until-done exits 1 when one failed', async (t) => {
  const server = await startServer({ extraArgs: ['--node-report-rate', '100'] });
  const image = 'registry.example.com/plain/app:2';
  let open = false;
  const feeds = [
    feedPull(server.url, 'plain-ok', image, 25 * MB, {}, () => open),
    feedPull(server.url, 'plain-bad', image, 10 * MB, { failAt: 30 * MB, error: 'unexpected EOF reading layer' }, () => open),
  ];
  t.after(async () => {
    await Promise.all(feeds.map((f) => f.stop()));
    await server.stop();
  });
  const run = runPulltrace(['watch', '--server', server.url, '--image', 'plain/app', '--until-done']);
  await streamsOpen(server.metricsUrl, 1);
  open = true;
  const result = await run;
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  for (const line of lines) assert.ok(PULL_LINE.test(line) || line.startsWith('== '), `unexpected line: ${line}`);
  assert.ok(!result.stdout.includes('\x1b'), 'no colour when stdout is a pipe');
  const pullLines = lines.filter((l) => PULL_LINE.test(l));
  assert.ok(
    pullLines.some((l) => /plain-ok {2}registry\.example\.com\/plain\/app:2 {2}completed {2}100\.0%$/.test(l)),
    result.stdout,
  );
  assert.ok(
    pullLines.some((l) => /plain-bad {2}\S+ {2}failed {2}30\.0% {2}error: unexpected EOF reading layer \(network\)$/.test(l)),
    result.stdout,
  );
  // Progress lines of one pull advance.
  const okPercents = pullLines.filter((l) => l.includes('plain-ok')).map((l) => Number(PULL_LINE.exec(l)?.[4]));
  assert.deepEqual(
    okPercents,
    [...okPercents].sort((a, b) => a - b),
  );
  assert.match(lines.at(-1) ?? '', /^== registry\.example\.com\/plain\/app:2 {2}2 nodes: 1 done · 0 pulling · 0 stalled · 1 failed/);
  assert.match(result.stderr, /^# 1 of 2 matched pulls failed$/m);
});

test('wide adds bytes, layers and the pull id', async (t) => {
  const server = await startServer({ extraArgs: ['--node-report-rate', '100'] });
  // --until-done ignores a pull that finished before it connected: open the gate once it follows.
  let open = false;
  const feed = feedPull(server.url, 'wide-node', 'registry.example.com/wide/app:3', 50 * MB, {}, () => open);
  t.after(async () => {
    await feed.stop();
    await server.stop();
  });
  const run = runPulltrace(['watch', '--server', server.url, '--image', 'wide/app', '--output', 'wide', '--until-done']);
  await streamsOpen(server.metricsUrl, 1);
  open = true;
  const result = await run;
  assert.equal(result.code, 0, result.stderr);
  const last =
    result.stdout
      .split('\n')
      .filter((l) => PULL_LINE.test(l))
      .at(-1) ?? '';
  assert.match(last, /completed {2}100\.0% {2}100 MB\/100 MB {2}cached 0 B {2}layers 2\/2 {2}id \S+$/);
});

test('after the server drops, watch says so, reconnects with Last-Event-ID and says that too', async (t) => {
  const port = await freePort();
  let server = await startServer({ httpPort: port, extraArgs: ['--node-report-rate', '100'] });
  const startedAt = new Date().toISOString();
  let got = 0;
  const feed = () =>
    reportEvery(server.url, 'rc-node', () => {
      got = Math.min(got + MB, 90 * MB);
      return [syntheticPull({ imageRef: 'registry.example.com/rc/app:1', startedAt, layers: LAYERS, downloaded: got })];
    });
  let agent = feed();
  const watcher = startProcess(process.execPath, [...pulltraceArgs(), 'watch', '--server', server.url], { name: 'pulltrace watch' });
  await waitFor(() => watcher.stdout().includes('rc-node'), { timeoutMs: 20_000, what: `watch to print the pull\n${watcher.stderr()}` });
  t.after(async () => {
    await watcher.stop();
    await agent.stop().catch(() => {});
    await server.stop();
  });
  await agent.stop().catch(() => {});
  await server.stop();
  await waitFor(() => /^# connection lost \(.+\); reconnecting in \d+s \(attempt 1\)$/m.test(watcher.stderr()), {
    timeoutMs: 15_000,
    what: `watch to report the lost connection\n${watcher.stderr()}`,
  });
  server = await startServer({ httpPort: port, extraArgs: ['--node-report-rate', '100'] });
  agent = feed();
  // Its next attempt comes after the back-off it announced last (up to 15 s, longer the slower the
  // restart was), then it must connect: wait for that, with its stderr as it is at the time out.
  const announced = [...watcher.stderr().matchAll(/reconnecting in (\d+)s/g)].at(-1)?.[1];
  await waitFor(
    () => {
      if (/^# reconnected to http:\/\/127\.0\.0\.1:\d+ \(Last-Event-ID \d+/m.test(watcher.stderr())) return true;
      throw new Error(`not yet; watch's stderr:\n${watcher.stderr()}`);
    },
    { timeoutMs: Number(announced ?? 15) * 1000 + 30_000, what: 'watch to report the reconnection' },
  );
  // And it follows the new server's stream.
  const before = watcher.stdout().length;
  await waitFor(() => watcher.stdout().slice(before).includes('rc-node'), { timeoutMs: 15_000, what: 'a line from the new server' });
});

test('bad flags exit 2 naming the flag; an unreachable server exits 1 saying so', async () => {
  const bad = await runPulltrace(['watch', '--output', 'yaml']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /pulltrace watch: --output: "yaml" is not an output \(one of: auto, plain, wide, json\)/);
  const port = await freePort();
  const down = await runPulltrace(['watch', '--server', `http://127.0.0.1:${port}`]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
  const help = await runPulltrace(['watch', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--until-done/);
});
