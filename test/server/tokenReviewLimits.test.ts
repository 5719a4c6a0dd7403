// A TokenReview flood against a real server in kubernetes mode, the fake API server counting the
// reviews it is asked for: 2,000 junk tokens from one address cost at most a hundred reviews
// (charged to that address, then 429 with Retry-After), while agents on other addresses — one
// already known, one whose token is new — are answered 200 throughout.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  clientFrom,
  FakeKubeApi,
  KUBE_TEST_SERVER_FLAGS,
  layer,
  MiB,
  type PulltraceProcess,
  pullEntry,
  startPulltrace,
  writeKubeconfig,
} from '../kit/index.js';

const AGENT_SA = 'pulltrace:pulltrace-agent';
const JUNK = 2_000;
let kube: FakeKubeApi;
let server: PulltraceProcess;
let dir: string;

before(async () => {
  kube = await FakeKubeApi.start();
  dir = mkdtempSync(join(tmpdir(), 'pulltrace-review-flood-'));
  const kubeconfig = await writeKubeconfig(dir, kube.url);
  server = await startPulltrace(['server', ...KUBE_TEST_SERVER_FLAGS], {
    env: {
      KUBECONFIG: kubeconfig,
      PULLTRACE_AGENT_AUTH: 'kubernetes',
      PULLTRACE_AGENT_SERVICE_ACCOUNTS: AGENT_SA,
      // one review a second (burst 2): the bound below then holds however slow a loaded machine
      // makes the flood (the default 5/s is measured by bench:hostile)
      PULLTRACE_AGENT_REVIEW_RATE: '1',
    },
  });
});

after(async () => {
  await server?.stop();
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

const report = (nodeName: string) => ({
  nodeName,
  pulls: [pullEntry(`127.0.0.1/shop/${nodeName}`, `sha256:${nodeName}`, [layer(`sha256:l-${nodeName}`, 4 * MiB, MiB)])],
});
// shaped like a projected token (a JWT), signed by no one
const junkToken = () =>
  `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 3600, jti: randomBytes(8).toString('hex') })).toString('base64url')}.${randomBytes(32).toString('base64url')}`;

test('2,000 junk tokens from one address: at most 100 TokenReviews; agents on other addresses answered 200 meanwhile', async () => {
  const known = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-known' });
  const fresh = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-new' });
  const attacker = clientFrom('127.0.0.1', 50);
  const agentKnown = clientFrom('127.0.0.2');
  const agentNew = clientFrom('127.0.0.3');
  try {
    assert.equal((await agentKnown.post(server.baseUrl, report('node-known'), { authorization: `Bearer ${known}` })).status, 200);
    const reviewsBefore = kube.tokens.reviews;

    const junkStatuses = new Map<number, number>();
    let missingRetryAfter = 0;
    const agentStatuses: number[] = [];
    let sent = 0;
    const flood = Array.from({ length: 50 }, async () => {
      while (sent < JUNK) {
        sent += 1;
        const a = await attacker.post(server.baseUrl, report('node-known'), { authorization: `Bearer ${junkToken()}` });
        junkStatuses.set(a.status, (junkStatuses.get(a.status) ?? 0) + 1);
        if (a.status === 429 && !a.headers['retry-after']) missingRetryAfter += 1;
      }
    });
    // The agents report while the flood runs (one report each per 200 junk requests sent).
    const agents = (async () => {
      let next = 200;
      while (next < JUNK) {
        while (sent < next) await new Promise((r) => setImmediate(r));
        next += 200;
        agentStatuses.push((await agentKnown.post(server.baseUrl, report('node-known'), { authorization: `Bearer ${known}` })).status);
        agentStatuses.push((await agentNew.post(server.baseUrl, report('node-new'), { authorization: `Bearer ${fresh}` })).status);
      }
    })();
    await Promise.all([...flood, agents]);

    const reviews = kube.tokens.reviews - reviewsBefore;
    assert.ok(reviews <= 100, `${reviews} TokenReviews for ${JUNK} junk tokens (at most 100)`);
    assert.deepEqual(
      [...junkStatuses.keys()].sort(),
      [401, 429],
      `junk tokens are refused 401 (reviewed) or 429 (over budget): ${JSON.stringify([...junkStatuses])}`,
    );
    assert.equal(missingRetryAfter, 0, 'every 429 says when to retry');
    assert.ok(agentStatuses.length >= 18);
    assert.deepEqual(
      agentStatuses.filter((s) => s !== 200),
      [],
      'both agents answered 200 during the flood',
    );
    assert.equal(
      kube.tokens.reviewed.filter((t) => t === known).length,
      1,
      "the known agent's answer stayed cached: the flood evicted nothing",
    );
  } finally {
    attacker.close();
    agentKnown.close();
    agentNew.close();
  }
});
