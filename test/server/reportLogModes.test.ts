// POST /api/v1/report through both report logs: the local one (a single server) and the shared
// NATS JetStream one (replicas, against a real nats-server started here). A single server is the
// degenerate replica, so an agent gets the same answers from both — accepted, a report over the
// limits, a node over its own pull cap (429), a full server (503) — and an accepted report is
// served at once by the server that accepted it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createLogger } from '../../src/log/index.js';
import type { AgentReport } from '../../src/model/index.js';
import { type ApiApp, buildApiApp } from '../../src/server/http/apiAppFixture.js';
import { NatsReportLog } from '../../src/server/replication/natsReportLog.js';
import { type NatsHandle, startNats } from '../kit/index.js';

let nats: NatsHandle;
before(async () => {
  nats = await startNats();
});
after(async () => {
  await nats?.close();
});

const json = { 'content-type': 'application/json' };
const pull = (image: string) => ({
  imageRef: `127.0.0.1/${image}:1`,
  manifestDigest: `sha256:${image}`,
  status: 'pulling',
  layers: [{ digest: `sha256:l-${image}`, totalBytes: 100, downloadedBytes: 10 }],
});
const report = (nodeName: string, ...images: string[]): AgentReport => ({ nodeName, pulls: images.map(pull) }) as AgentReport;

/** The same small server (3 nodes, 2 pulls per node) with either report log; its own cluster on the shared NATS. */
async function serverWith(mode: 'local' | 'nats'): Promise<{ api: ApiApp; natsLog?: NatsReportLog }> {
  const cluster = `c-${randomBytes(4).toString('hex')}`;
  let natsLog: NatsReportLog | undefined;
  const api = await buildApiApp({
    limits: { maxNodes: 3, maxPullsPerNode: 2, cluster },
    ...(mode === 'nats'
      ? {
          reportLog: (applier) => {
            natsLog = new NatsReportLog({ url: nats.url, cluster, maxAgeMs: 60 * 60_000, applier, logger: createLogger('silent') });
            return natsLog;
          },
        }
      : {}),
  });
  return { api, ...(natsLog ? { natsLog } : {}) };
}

/** What an agent sees for each step: status, body, Retry-After; and what the server then serves. */
async function agentView(api: ApiApp): Promise<unknown[]> {
  const steps: Array<[string, AgentReport | string]> = [
    ['accepted', report('w1', 'a')],
    ['too many pulls for the node', report('w1', 'a', 'b', 'c')],
    [
      'over the layers a report may carry',
      JSON.stringify({
        nodeName: 'w1',
        pulls: [0, 1, 2].map((p) => ({
          imageRef: `127.0.0.1/many-${p}:1`,
          layers: Array.from({ length: 700 }, (_, i) => ({ digest: `sha256:${p}-${i}`, totalBytes: 10, downloadedBytes: 0 })),
        })),
      }),
    ],
    ['second node', report('w2', 'a')],
    ['third node', report('w3', 'a')],
    ['a fourth node: the server is full', report('w4', 'a')],
    ['a known node still reports', report('w1', 'a', 'b')],
  ];
  const seen: unknown[] = [];
  for (const [what, body] of steps) {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/report',
      headers: json,
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const served = (await api.app.inject({ url: '/api/v1/pulls?layers=0' })).json() as {
      pulls: Array<{ nodeName: string; imageRef: string }>;
    };
    seen.push({
      what,
      status: res.statusCode,
      body: res.json(),
      retryAfter: res.headers['retry-after'],
      served: served.pulls.map((p) => `${p.nodeName} ${p.imageRef}`).sort(),
    });
  }
  return seen;
}

test('an agent gets the same answers from a single server and from a replica on the shared log', async (t) => {
  const local = await serverWith('local');
  const replica = await serverWith('nats');
  t.after(() => Promise.all([local.api.close(), replica.api.close()]));

  const fromLocal = await agentView(local.api);
  const fromReplica = await agentView(replica.api);
  assert.deepEqual(fromReplica, fromLocal);

  const byStep = new Map((fromLocal as Array<{ what: string; status: number; body: { error?: string } }>).map((s) => [s.what, s]));
  assert.equal(byStep.get('accepted')?.status, 200);
  assert.equal(byStep.get('too many pulls for the node')?.body.error, 'too_many_pulls');
  assert.equal(byStep.get('too many pulls for the node')?.status, 429);
  assert.equal(byStep.get('over the layers a report may carry')?.body.error, 'invalid_report');
  assert.equal(byStep.get('a fourth node: the server is full')?.status, 503);
  assert.equal(byStep.get('a fourth node: the server is full')?.body.error, 'capacity');
  assert.equal(byStep.get('a known node still reports')?.status, 200);
  assert.deepEqual((fromLocal.at(-1) as { served: string[] }).served, [
    'w1 127.0.0.1/a:1',
    'w1 127.0.0.1/b:1',
    'w2 127.0.0.1/a:1',
    'w3 127.0.0.1/a:1',
  ]);
  // The replica's reports went through the stream and were applied from it, not beside it.
  assert.equal(replica.natsLog?.counts.published, 4, 'the four accepted reports were appended to the stream');
  assert.ok((replica.natsLog?.counts.applied ?? 0) >= 4, 'and applied when read back');
});
