// PULLTRACE_AGENT_AUTH=kubernetes end to end: a real server, the fake API server answering
// TokenReviews as kube-apiserver does (through the real client library), reports posted the way
// an agent posts them. A token speaks only for its own node; every refusal changes nothing. A
// refused caller gets a fixed sentence; the reason is in the server log only.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { PullStatus } from '../../src/model/index.js';
import {
  FakeKubeApi,
  KUBE_TEST_SERVER_FLAGS,
  layer,
  MiB,
  metricValue,
  type PulltraceProcess,
  podObject,
  postReport,
  pullEntry,
  runPulltrace,
  startPulltrace,
  TEST_SERVER_FLAGS,
  waitFor,
  writeKubeconfig,
} from '../kit/index.js';

const AGENT_SA = 'pulltrace:pulltrace-agent';
let kube: FakeKubeApi;
let server: PulltraceProcess;
let dir: string;

before(async () => {
  kube = await FakeKubeApi.start();
  dir = mkdtempSync(join(tmpdir(), 'pulltrace-auth-'));
  const kubeconfig = await writeKubeconfig(dir, kube.url);
  // the agent pod of the pod-bound (pre-1.30) token case
  kube.apply(
    podObject({
      name: 'agent-b',
      namespace: 'pulltrace',
      uid: 'uid-agent-b',
      nodeName: 'node-b',
      containers: [{ name: 'agent', image: 'pulltrace:0.1.0', state: { running: {} } }],
    }),
  );
  server = await startPulltrace(['server', ...KUBE_TEST_SERVER_FLAGS, '--log-level', 'debug'], {
    env: {
      KUBECONFIG: kubeconfig,
      PULLTRACE_AGENT_AUTH: 'kubernetes',
      PULLTRACE_AGENT_SERVICE_ACCOUNTS: `${AGENT_SA},other:spare-agent`,
      // every test here asks from 127.0.0.1 with new tokens; the per-address budget has its own test
      PULLTRACE_AGENT_REVIEW_RATE: '100',
    },
  });
});

after(async () => {
  await server?.stop();
  await kube?.close();
  rmSync(dir, { recursive: true, force: true });
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const report = (nodeName: string, digest: string, extra: Partial<Parameters<typeof pullEntry>[3]> = {}) => ({
  nodeName,
  pulls: [pullEntry(`127.0.0.1/shop/${digest}`, `sha256:${digest}`, [layer(`sha256:l-${digest}`, 4 * MiB, MiB)], extra)],
});

async function pulls(): Promise<PullStatus[]> {
  return ((await (await fetch(`${server.baseUrl}/api/v1/pulls`)).json()) as { pulls: PullStatus[] }).pulls;
}

async function errorBody(res: Response): Promise<{ error: string; message: string }> {
  return (await res.json()) as { error: string; message: string };
}

const GENERIC = {
  unauthorized: "the agent's credentials were not accepted; the server log says why",
  forbidden: 'this agent may not send this report; the server log says why',
  unavailable: "the agent's identity cannot be checked right now; retry later",
};

/** The reason of a refusal, from the server log (where it goes instead of the answer). */
function loggedRefusal(status: number, reason: RegExp): Promise<Record<string, unknown>> {
  return waitFor(
    () =>
      server.logs().find((l) => l.msg === 'agent report refused; nothing changed' && l.status === status && reason.test(String(l.reason))),
    { timeoutMs: 5_000, what: `the ${status} refusal with reason ${reason} in the server log` },
  );
}

test('a token bound to node A reports for A: 200; for B: 403 with a fixed message (the reason logged), and B is untouched', async () => {
  const tokenA = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-a', pod: { name: 'agent-a' } });
  const tokenB = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-b2', pod: { name: 'agent-b2' } });
  let res = await postReport(server.baseUrl, report('node-a', 'aaa'), bearer(tokenA));
  assert.equal(res.status, 200, await res.text());
  res = await postReport(server.baseUrl, report('node-b2', 'bbb'), bearer(tokenB));
  assert.equal(res.status, 200);
  const before = await pulls();
  assert.deepEqual(before.map((p) => `${p.nodeName}:${p.status}`).sort(), ['node-a:pulling', 'node-b2:pulling']);

  // The forged report of the issue: node A's token claims node B's pulls are gone / failed.
  res = await postReport(server.baseUrl, { nodeName: 'node-b2', pulls: [] }, bearer(tokenA));
  assert.equal(res.status, 403);
  assert.deepEqual(await errorBody(res), { error: 'forbidden', message: GENERIC.forbidden });
  await loggedRefusal(403, /^token is bound to node node-a, report is for node-b2$/);
  res = await postReport(server.baseUrl, report('node-b2', 'evil', { status: 'failed', error: 'run curl …|sh' }), bearer(tokenA));
  assert.equal(res.status, 403);
  const after = await pulls();
  await waitFor(
    () => server.logs().find((l) => l.msg === 'agent report refused; nothing changed' && l.status === 403 && l.nodeName === 'node-b2'),
    { timeoutMs: 5_000, what: 'the refusal to be logged at debug' },
  );
  assert.ok(!server.proc.stdout().includes(tokenA), 'the token is never logged');
  assert.deepEqual(after.map((p) => `${p.nodeName}:${p.status}:${p.manifestDigest}`).sort(), [
    'node-a:pulling:sha256:aaa',
    'node-b2:pulling:sha256:bbb',
  ]);
});

test('unknown, expired, revoked and wrong-audience tokens: 401; nothing accepted', async () => {
  const expired = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-x', expiresAt: new Date(Date.now() - 1000) });
  const audience = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-x', audiences: ['https://kubernetes.default.svc'] });
  const revoked = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-x' });
  kube.tokens.revoke(revoked);
  for (const [what, headers] of [
    ['no token', {}],
    ['unknown token', bearer('eyJhbGciOiJSUzI1NiJ9.e30.forged')],
    ['expired token', bearer(expired)],
    ['token for another audience', bearer(audience)],
    ['revoked token', bearer(revoked)],
  ] as const) {
    const res = await postReport(server.baseUrl, report('node-x', 'xxx'), headers);
    assert.equal(res.status, 401, what);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer', what);
    assert.deepEqual(await errorBody(res), { error: 'unauthorized', message: GENERIC.unauthorized }, what);
  }
  await loggedRefusal(401, /invalid or expired/);
  assert.equal((await pulls()).filter((p) => p.nodeName === 'node-x').length, 0);
});

test('a token of another ServiceAccount: 403; nothing accepted', async () => {
  const token = kube.tokens.issue({ serviceAccount: 'default:default', nodeName: 'node-y' });
  const res = await postReport(server.baseUrl, report('node-y', 'yyy'), bearer(token));
  assert.equal(res.status, 403);
  // The allow-list is the server's business: the caller is not told which accounts would do.
  assert.deepEqual(await errorBody(res), { error: 'forbidden', message: GENERIC.forbidden });
  await loggedRefusal(403, /^ServiceAccount default:default may not report \(allowed: pulltrace:pulltrace-agent, other:spare-agent\)$/);
  assert.equal((await pulls()).filter((p) => p.nodeName === 'node-y').length, 0);
});

test('a pod-bound token without a node claim (before 1.30) speaks for the node of its pod', async () => {
  const token = kube.tokens.issue({ serviceAccount: AGENT_SA, pod: { name: 'agent-b', uid: 'uid-agent-b' } });
  let res = await postReport(server.baseUrl, report('node-b', 'pod-bound'), bearer(token));
  assert.equal(res.status, 200, await res.text());
  res = await postReport(server.baseUrl, report('node-a', 'pod-bound-forged'), bearer(token));
  assert.equal(res.status, 403);
  assert.equal((await errorBody(res)).message, GENERIC.forbidden);
  await loggedRefusal(403, /^token is bound to node node-b, report is for node-a$/);
  // a token whose pod the server does not know cannot be bound to a node
  const orphan = kube.tokens.issue({ serviceAccount: AGENT_SA, pod: { name: 'gone' } });
  res = await postReport(server.baseUrl, report('node-b', 'orphan'), bearer(orphan));
  assert.equal(res.status, 403);
  assert.equal((await errorBody(res)).message, GENERIC.forbidden);
  await loggedRefusal(403, /token is bound to pod pulltrace\/gone, which the server does not see/);
  assert.equal(
    (await pulls()).filter((p) => p.manifestDigest === 'sha256:pod-bound-forged' || p.manifestDigest === 'sha256:orphan').length,
    0,
  );
});

test('TokenReview answers are cached by token: one review for many reports', async () => {
  const token = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-c' });
  const reviewsBefore = kube.tokens.reviewed.filter((t) => t === token).length;
  for (let i = 0; i < 5; i++) {
    const res = await postReport(server.baseUrl, report('node-c', 'ccc'), bearer(token));
    assert.equal(res.status, 200);
  }
  assert.equal(kube.tokens.reviewed.filter((t) => t === token).length - reviewsBefore, 1);
});

test('a TokenReview outage: 503 with Retry-After, nothing accepted; reports flow again once it answers', async () => {
  const token = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'node-d' });
  kube.tokenReviewFailure = 503;
  try {
    const res = await postReport(server.baseUrl, report('node-d', 'ddd'), bearer(token));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '5');
    const body = await errorBody(res);
    assert.equal(body.error, 'unavailable');
    // The API server's answer (its address, in a real outage) stays in the server log.
    assert.equal(body.message, GENERIC.unavailable);
    await loggedRefusal(503, /TokenReview: the API server answered HTTP 503/);
    assert.equal((await pulls()).filter((p) => p.nodeName === 'node-d').length, 0);
    await waitFor(() => server.logs().some((l) => l.level === 'warn' && /TokenReview failed/.test(String(l.msg))), {
      timeoutMs: 5_000,
      what: 'the outage to be logged',
    });
    // missing RBAC is an outage too, and says what permission is missing (once the server tries
    // again: during an outage it tries one review per 5 s, whatever the number of agents)
    kube.tokenReviewFailure = 403;
    await waitFor(
      async () => {
        const rbac = await postReport(server.baseUrl, report('node-d', 'ddd'), bearer(token));
        assert.equal(rbac.status, 503);
        assert.equal((await errorBody(rbac)).message, GENERIC.unavailable);
        return server
          .logs()
          .some(
            (l) =>
              l.msg === 'agent report refused; nothing changed' &&
              l.status === 503 &&
              /create on tokenreviews\.authentication\.k8s\.io/.test(String(l.reason)),
          );
      },
      { timeoutMs: 15_000, intervalMs: 500, what: 'a generic 503, the missing permission named in the server log' },
    );
  } finally {
    kube.tokenReviewFailure = undefined;
  }
  await waitFor(async () => (await postReport(server.baseUrl, report('node-d', 'ddd'), bearer(token))).status === 200, {
    timeoutMs: 15_000,
    intervalMs: 500,
    what: 'reports to flow again once TokenReview answers',
  });
  const metrics = await (await fetch(server.metricsUrl)).text();
  assert.ok((metricValue(metrics, 'pulltrace_agent_reports_total') ?? 0) >= 1);
});

test('bad combinations of auth settings stop the server before it starts, naming the setting', async () => {
  for (const [env, pattern] of [
    [{ PULLTRACE_AGENT_AUTH: 'kubernetes' }, /PULLTRACE_AGENT_AUTH=kubernetes needs PULLTRACE_AGENT_SERVICE_ACCOUNTS/],
    [
      { PULLTRACE_AGENT_AUTH: 'kubernetes', PULLTRACE_AGENT_SERVICE_ACCOUNTS: AGENT_SA, PULLTRACE_KUBERNETES: 'off' },
      /needs the Kubernetes API/,
    ],
    [{ PULLTRACE_AGENT_AUTH: 'token' }, /PULLTRACE_AGENT_AUTH=token needs PULLTRACE_AGENT_TOKEN/],
    [{ PULLTRACE_AGENT_AUTH: 'mtls' }, /PULLTRACE_AGENT_AUTH: "mtls" is not one of kubernetes, token, none/],
    [
      { PULLTRACE_AGENT_AUTH: 'kubernetes', PULLTRACE_AGENT_SERVICE_ACCOUNTS: 'pulltrace/agent' },
      /PULLTRACE_AGENT_SERVICE_ACCOUNTS: "pulltrace\/agent" is not namespace:name/,
    ],
    [{ PULLTRACE_TLS_CERT_FILE: '/tmp/x.crt' }, /PULLTRACE_TLS_CERT_FILE and PULLTRACE_TLS_KEY_FILE go together/],
  ] as const) {
    const r = await runPulltrace(['server', '--http-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--db', ':memory:'], env);
    assert.equal(r.code, 2, `${JSON.stringify(env)}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
});

test('none on a non-loopback address says so in a warn line; token mode does not', async () => {
  const open = await startPulltrace([
    'server',
    '--http-addr',
    '0.0.0.0:0',
    '--metrics-addr',
    '127.0.0.1:0',
    '--db',
    ':memory:',
    '--kubernetes',
    'off',
  ]);
  try {
    assert.ok(open.logs().some((l) => l.level === 'warn' && /not authenticated \(PULLTRACE_AGENT_AUTH=none\)/.test(String(l.msg))));
  } finally {
    await open.stop();
  }
  const local = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:']);
  const tokened = await startPulltrace(
    ['server', '--http-addr', '0.0.0.0:0', '--metrics-addr', '127.0.0.1:0', '--db', ':memory:', '--kubernetes', 'off'],
    { env: { PULLTRACE_AGENT_TOKEN: 's3cret' } },
  );
  try {
    for (const p of [local, tokened]) assert.ok(!p.logs().some((l) => /not authenticated/.test(String(l.msg))));
  } finally {
    await local.stop();
    await tokened.stop();
  }
});
