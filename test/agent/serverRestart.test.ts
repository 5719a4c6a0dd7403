// Scenario 7: `pulltrace server` and `pulltrace agent` as separate processes; the server is stopped
// and started again. The agent keeps polling, logs the outage once, sends only its latest snapshot
// when the server is back, and never reports a completion twice.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PullStatus } from '../../src/model/index.js';
import {
  buildAndPushImage,
  freePort,
  imageRef,
  MiB,
  ProcessGroup,
  type PulltraceProcess,
  parseLogLines,
  pulltraceArgs,
  RATE,
  startContainerd,
  startPulltrace,
  startRegistry,
  startThrottleProxy,
  waitFor,
  waitForPull,
} from '../kit/index.js';

const TOKEN = 'e2e-agent-token';

test('server stopped and restarted: the agent resumes reporting, logs the outage once, no duplicate completion', async (t) => {
  const group = new ProcessGroup();
  t.after(() => group.close());
  const dir = await mkdtemp(join(tmpdir(), 'pt-srv-restart-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const registry = group.track(await startRegistry(), 'registry');
  const containerd = group.track(await startContainerd(), 'containerd');
  const proxy = group.track(await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: RATE }), 'proxy');
  const port = await freePort();
  const serverArgs = ['server', '--http-addr', `127.0.0.1:${port}`, '--metrics-addr', '127.0.0.1:0', '--kubernetes', 'off'];
  serverArgs.push('--db', join(dir, 'history.db'), '--agent-token', TOKEN);
  const startServer = async (): Promise<PulltraceProcess> => group.track(await startPulltrace(serverArgs), 'server');

  let server = await startServer();
  const agent = group.start(
    process.execPath,
    [
      ...pulltraceArgs(),
      'agent',
      '--server-url',
      server.baseUrl,
      '--containerd-socket',
      containerd.socket,
      '--node-name',
      'e2e-node',
      '--agent-token',
      TOKEN,
    ],
    { name: 'pulltrace agent' },
  );
  const agentLogs = () => parseLogLines(agent.stdout());
  await waitFor(() => agentLogs().some((l) => l.msg === 'agent reporting'), { timeoutMs: 30_000, what: 'the agent to start polling' });

  const before = await buildAndPushImage(registry.host, { repository: 'e2e/before', tag: 'v1', layers: [{ size: 3 * MiB }] });
  const during = await buildAndPushImage(registry.host, { repository: 'e2e/during-outage', tag: 'v1', layers: [{ size: 4 * MiB }] });

  assert.equal((await containerd.startPull(imageRef(proxy.host, before)).done).code, 0);
  const first = await waitForPull(
    server.baseUrl,
    (p) => p.manifestDigest === before.manifestDigest && p.status === 'completed',
    'first pull completed',
  );
  assert.equal(first.nodeName, 'e2e-node');

  await server.stop();
  // A pull that starts and ends while the server is down.
  assert.equal((await containerd.startPull(imageRef(proxy.host, during)).done).code, 0);
  await waitFor(
    () =>
      agentLogs().some((l) => l.msg === 'cannot report to the server; will keep polling and send only the latest snapshot once it answers'),
    {
      timeoutMs: 10_000,
      what: 'the agent to log the outage',
    },
  );
  assert.ok(agent.running, 'the agent keeps running while the server is down');

  server = await startServer();
  const second = await waitForPull(
    server.baseUrl,
    (p) => p.manifestDigest === during.manifestDigest && p.status === 'completed',
    'the pull done during the outage, reported after it',
  );
  assert.equal(second.downloadedBytes, second.totalBytes);
  await waitFor(() => agentLogs().some((l) => l.msg === 'reporting to the server again'), {
    timeoutMs: 10_000,
    what: 'the agent to log the recovery',
  });

  const outageLines = agentLogs().filter((l) => l.level === 'warn' || l.msg === 'reporting to the server again');
  assert.deepEqual(
    outageLines.map((l) => l.msg),
    ['cannot report to the server; will keep polling and send only the latest snapshot once it answers', 'reporting to the server again'],
    'one line when the outage starts, one when it ends',
  );

  // The pull completed before the outage is not completed again by the new server. The API may show
  // the pull completed a moment before the log line is written: wait for the line itself.
  const completedLines = () => server.logs().filter((l) => l.type === 'pull.completed');
  await waitFor(() => completedLines().some((l) => (l.pull as PullStatus | undefined)?.manifestDigest === during.manifestDigest), {
    timeoutMs: 10_000,
    what: "the new server's pull.completed log line for the pull done during the outage",
  });
  const completions = completedLines();
  const digests = completions.map((l) => (l.pull as PullStatus | undefined)?.manifestDigest);
  assert.ok(!digests.includes(before.manifestDigest), 'no second completion of the pull finished before the outage');
  assert.equal(digests.filter((d) => d === during.manifestDigest).length, 1);
  const history = (await (await fetch(`${server.baseUrl}/api/v1/history?image=e2e/before`)).json()) as { pulls: PullStatus[] };
  assert.ok(history.pulls.filter((p) => p.manifestDigest === before.manifestDigest).length <= 1, 'at most one history row for it');
});
