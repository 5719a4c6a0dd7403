// PULLTRACE_CLUSTER: every pull a server tracks carries its cluster, and the cluster filter works on
// the live list, the event stream and the history. A name that is not a DNS label stops the server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullStatus } from '../../src/model/index.js';
import {
  getJson,
  layer,
  MiB,
  postReport,
  pullEntry,
  runPulltrace,
  SseRecorder,
  startPulltrace,
  TEST_SERVER_FLAGS,
  waitFor,
} from '../kit/index.js';

test('--cluster eu-1: pulls carry it; cluster= filters the list, the stream and the history', async (t) => {
  const server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--cluster', 'eu-1']);
  t.after(() => server.stop());
  const mine = await SseRecorder.connect(`${server.baseUrl}/api/v1/events?cluster=eu-1`);
  t.after(() => mine.close());
  const other = await SseRecorder.connect(`${server.baseUrl}/api/v1/events?cluster=us-1`);
  t.after(() => other.close());

  const entry = (done: boolean) =>
    pullEntry('127.0.0.1/app:1', 'sha256:m1', [layer('sha256:l1', MiB, done ? MiB : 0, done ? 'done' : undefined)], {
      ...(done ? { status: 'completed' as const } : {}),
    });
  assert.equal((await postReport(server.baseUrl, { nodeName: 'node-a', pulls: [entry(false)] })).status, 200);

  const started = await mine.waitForEvent((e) => e.type === 'pull.started', 'pull.started on the eu-1 stream');
  assert.equal(started.pull?.cluster, 'eu-1');
  const list = async (query: string) => (await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/pulls${query}`)).body.pulls;
  assert.deepEqual(
    (await list('')).map((p) => p.cluster),
    ['eu-1'],
  );
  assert.equal((await list('?cluster=eu-1')).length, 1);
  assert.equal((await list('?cluster=us-1')).length, 0);
  assert.equal((await list('?cluster=eu')).length, 0, 'exact name, not a substring');

  assert.equal((await postReport(server.baseUrl, { nodeName: 'node-a', pulls: [entry(true)] })).status, 200);
  await mine.waitForEvent((e) => e.type === 'pull.completed', 'pull.completed on the eu-1 stream');
  const history = async (query: string) =>
    (await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/history${query}`)).body.pulls.map((p) => p.cluster);
  await waitFor(async () => (await history('?cluster=eu-1')).length === 1, { timeoutMs: 10_000, what: 'the eu-1 pull in history' });
  assert.deepEqual(await history('?cluster=us-1'), []);
  // The us-1 stream got the same two reports' worth of time and no pull event at all.
  assert.deepEqual(
    other.events.filter((e) => e.pull),
    [],
  );
});

test('a cluster name that is not a DNS label is refused at start, naming the setting', async () => {
  const r = await runPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--cluster', 'EU.west']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /cluster/);
  assert.match(r.stderr + r.stdout, /must be a DNS label/);
});
