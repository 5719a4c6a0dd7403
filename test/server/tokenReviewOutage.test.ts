// An API-server outage is not an incident: a real server in kubernetes mode with a short node
// timeout, two agents reporting, and the fake API server's TokenReview down for over three node
// timeouts. The agent whose token was reviewed before keeps being accepted on that answer; the
// agent whose token rotated during the outage is refused 503 — and neither node's pull fails as
// "stopped reporting". When TokenReview is back, the rotated token is accepted and nothing failed.
// (The issue's case is a 3-minute outage with PULLTRACE_NODE_TIMEOUT=20s; here 2 s and 7 s keep
// the same ratio and more.)
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PullStatus } from '../../src/model/index.js';
import {
  clientFrom,
  FakeKubeApi,
  KUBE_TEST_SERVER_FLAGS,
  layer,
  MiB,
  metricValue,
  type PulltraceProcess,
  pullEntry,
  startPulltrace,
  writeKubeconfig,
} from '../kit/index.js';

const AGENT_SA = 'pulltrace:pulltrace-agent';
const NODE_TIMEOUT_MS = 2_000;
const OUTAGE_MS = 7_000;
/** how often the simulated agents report (the real agent: every second) */
const REPORT_EVERY_MS = 400;
let kube: FakeKubeApi;
let server: PulltraceProcess;
let dir: string;

before(async () => {
  kube = await FakeKubeApi.start();
  dir = mkdtempSync(join(tmpdir(), 'pulltrace-review-outage-'));
  const kubeconfig = await writeKubeconfig(dir, kube.url);
  server = await startPulltrace(['server', ...KUBE_TEST_SERVER_FLAGS], {
    env: {
      KUBECONFIG: kubeconfig,
      PULLTRACE_AGENT_AUTH: 'kubernetes',
      PULLTRACE_AGENT_SERVICE_ACCOUNTS: AGENT_SA,
      PULLTRACE_NODE_TIMEOUT: `${NODE_TIMEOUT_MS}ms`,
      // answers go stale within the outage, so the stale answer is what keeps node-a accepted
      PULLTRACE_AGENT_REVIEW_TTL: '1s',
    },
  });
});

after(async () => {
  kube.tokenReviewFailure = undefined;
  await server?.stop();
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

const report = (nodeName: string, downloaded: number) => ({
  nodeName,
  pulls: [
    pullEntry(`127.0.0.1/shop/${nodeName}`, `sha256:${nodeName}`, [layer(`sha256:l-${nodeName}`, 64 * MiB, downloaded)], {
      startedAt: '2026-12-07T10:00:00.000Z',
    }),
  ],
});

async function pulls(): Promise<PullStatus[]> {
  return ((await (await fetch(`${server.baseUrl}/api/v1/pulls`)).json()) as { pulls: PullStatus[] }).pulls;
}

async function degradedGauge(): Promise<number | undefined> {
  return metricValue(await (await fetch(server.metricsUrl)).text(), 'pulltrace_agent_auth_degraded');
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('TokenReview down for over three node timeouts: known tokens accepted, rotated ones refused 503, no pull fails', async () => {
  const tokenA = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-a' });
  const tokenB = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-b' });
  const rotatedB = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-b' });
  const agentA = clientFrom('127.0.0.2');
  const agentB = clientFrom('127.0.0.3');
  try {
    let bytes = MiB;
    assert.equal((await agentA.post(server.baseUrl, report('node-a', bytes), { authorization: `Bearer ${tokenA}` })).status, 200);
    assert.equal((await agentB.post(server.baseUrl, report('node-b', bytes), { authorization: `Bearer ${tokenB}` })).status, 200);
    assert.equal(await degradedGauge(), 0);

    kube.tokenReviewFailure = 503;
    const answersA: number[] = [];
    const answersB: Array<{ status: number; retryAfter: unknown }> = [];
    let degradedSeen = false;
    const outageStart = Date.now();
    // The agents keep their pace through the outage; node-b's kubelet rotated its token meanwhile.
    while (Date.now() - outageStart < OUTAGE_MS) {
      // the second half of the outage, the API server is gone: connections close unanswered
      if (Date.now() - outageStart > OUTAGE_MS / 2) kube.tokenReviewFailure = 'close';
      bytes += MiB / 4;
      answersA.push((await agentA.post(server.baseUrl, report('node-a', bytes), { authorization: `Bearer ${tokenA}` })).status);
      const b = await agentB.post(server.baseUrl, report('node-b', bytes), { authorization: `Bearer ${rotatedB}` });
      answersB.push({ status: b.status, retryAfter: b.headers['retry-after'] });
      degradedSeen ||= (await degradedGauge()) === 1;
      await pause(REPORT_EVERY_MS);
    }
    assert.ok(Date.now() - outageStart >= 3 * NODE_TIMEOUT_MS);
    assert.deepEqual(
      answersA.filter((s) => s !== 200),
      [],
      'node-a, reviewed before the outage, is accepted on that answer throughout',
    );
    assert.deepEqual(
      answersB.filter((b) => b.status !== 503 || b.retryAfter !== '5'),
      [],
      'node-b, whose token was never reviewed, gets 503 Retry-After: 5 throughout',
    );
    assert.ok(degradedSeen, 'pulltrace_agent_auth_degraded was 1 during the outage');
    const during = await pulls();
    assert.deepEqual(during.map((p) => `${p.nodeName}:${p.status}`).sort(), ['node-a:pulling', 'node-b:pulling']);

    kube.tokenReviewFailure = undefined;
    // the server tries a review once per probe period (5 s) while it believes TokenReview is down
    const recoverBy = Date.now() + 15_000;
    let bStatus = 0;
    while (bStatus !== 200) {
      assert.ok(Date.now() < recoverBy, 'node-b accepted within 15 s of TokenReview answering again');
      answersA.push((await agentA.post(server.baseUrl, report('node-a', bytes), { authorization: `Bearer ${tokenA}` })).status);
      bStatus = (await agentB.post(server.baseUrl, report('node-b', bytes), { authorization: `Bearer ${rotatedB}` })).status;
      if (bStatus !== 200) await pause(REPORT_EVERY_MS);
    }
    assert.equal(await degradedGauge(), 0);
    const afterwards = await pulls();
    assert.deepEqual(afterwards.map((p) => `${p.nodeName}:${p.status}`).sort(), ['node-a:pulling', 'node-b:pulling']);
    const logs = server.logs();
    assert.equal(
      logs.filter((l) => /agent on node-\w stopped reporting/.test(JSON.stringify(l))).length,
      0,
      'no pull failed as agent lost',
    );
    assert.equal(logs.filter((l) => l.level === 'warn' && /TokenReview failed/.test(String(l.msg))).length, 1, 'the outage logged once');
    assert.equal(logs.filter((l) => l.msg === 'TokenReview answers again; agent tokens are checked again').length, 1);
  } finally {
    agentA.close();
    agentB.close();
  }
});
