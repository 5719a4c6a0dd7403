import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodFacts } from '../../k8s/index.js';
import { createLogger } from '../../log/index.js';
import { ApiError } from '../http/apiError.js';
import { isLoopbackHost, kubernetesAuth } from './agentAuth.js';
import type { TokenReviewStatus } from './agentIdentity.js';

const SA = { namespace: 'pulltrace', name: 'pulltrace-agent' };
const logger = createLogger('error');
const jwt = (exp: number, id: string) => `h.${Buffer.from(JSON.stringify({ exp, jti: id })).toString('base64url')}.s`;
const nodeBound = (node: string): TokenReviewStatus => ({
  authenticated: true,
  audiences: ['pulltrace'],
  user: { username: 'system:serviceaccount:pulltrace:pulltrace-agent', extra: { 'authentication.kubernetes.io/node-name': [node] } },
});

function setup(answer: (token: string) => Promise<TokenReviewStatus>, pods: Record<string, PodFacts> = {}) {
  let now = 1_000_000;
  const calls: string[] = [];
  const auth = kubernetesAuth({
    review: async (token, audiences) => {
      assert.deepEqual(audiences, ['pulltrace']);
      calls.push(token);
      return answer(token);
    },
    serviceAccounts: [SA],
    podFacts: (ns, name) => pods[`${ns}/${name}`],
    logger,
    now: () => now,
  });
  return { auth, calls, advance: (ms: number) => (now += ms), now: () => now };
}

async function status(p: Promise<unknown>): Promise<number | string> {
  try {
    const r = (await p) as { nodeName?: string };
    return r.nodeName ?? 'ok';
  } catch (err) {
    return err instanceof ApiError ? err.statusCode : String(err);
  }
}

test('concurrent reports with one token cost one TokenReview; the answer is kept 60 s', async () => {
  const s = setup(async () => nodeBound('node-a'));
  const token = jwt(2_000_000, 'a');
  const results = await Promise.all([1, 2, 3].map(() => status(s.auth.authenticate(`Bearer ${token}`))));
  assert.deepEqual(results, ['node-a', 'node-a', 'node-a']);
  assert.equal(s.calls.length, 1);
  s.advance(59_000);
  await s.auth.authenticate(`Bearer ${token}`);
  assert.equal(s.calls.length, 1);
  s.advance(1_000);
  await s.auth.authenticate(`Bearer ${token}`);
  assert.equal(s.calls.length, 2, 'reviewed again after 60 s');
});

test('never kept past the token expiry', async () => {
  const s = setup(async () => nodeBound('node-a'));
  const token = jwt((s.now() + 5_000) / 1000, 'b');
  await s.auth.authenticate(`Bearer ${token}`);
  s.advance(5_000);
  await s.auth.authenticate(`Bearer ${token}`);
  assert.equal(s.calls.length, 2);
});

test('refusals: 401 without a token or when not authenticated, 403 for another account, 503 when the review fails', async () => {
  const s = setup(async (token) => {
    if (token === 'down') throw new Error('connect ECONNREFUSED');
    if (token === 'other')
      return { authenticated: true, audiences: ['pulltrace'], user: { username: 'system:serviceaccount:default:default' } };
    return { authenticated: false, error: 'invalid bearer token' };
  });
  assert.equal(await status(s.auth.authenticate(undefined)), 401);
  assert.equal(await status(s.auth.authenticate('Basic abc')), 401);
  assert.equal(await status(s.auth.authenticate('Bearer forged')), 401);
  assert.equal(await status(s.auth.authenticate('Bearer other')), 403);
  assert.equal(await status(s.auth.authenticate('Bearer down')), 503);
  assert.equal(await status(s.auth.authenticate('Bearer down')), 503, 'an outage is not cached');
  assert.equal(s.calls.filter((t) => t === 'down').length, 2);
});

test('a pod-bound token speaks for the node of its pod; a pod replaced under the same name is refused', async () => {
  const podBound: TokenReviewStatus = {
    authenticated: true,
    audiences: ['pulltrace'],
    user: {
      username: 'system:serviceaccount:pulltrace:pulltrace-agent',
      extra: { 'authentication.kubernetes.io/pod-name': ['agent-x'], 'authentication.kubernetes.io/pod-uid': ['uid-1'] },
    },
  };
  const pods: Record<string, PodFacts> = {
    'pulltrace/agent-x': { namespace: 'pulltrace', name: 'agent-x', uid: 'uid-1', nodeName: 'node-7', containers: [] },
  };
  const s = setup(async () => podBound, pods);
  assert.equal(await status(s.auth.authenticate('Bearer t')), 'node-7');
  pods['pulltrace/agent-x'] = { ...(pods['pulltrace/agent-x'] as PodFacts), uid: 'uid-2' };
  assert.equal(await status(s.auth.authenticate('Bearer t')), 401);
  delete pods['pulltrace/agent-x'];
  assert.equal(await status(s.auth.authenticate('Bearer t')), 403);
});

for (const [host, want] of [
  ['127.0.0.1', true],
  ['127.1.2.3', true],
  ['::1', true],
  ['localhost', true],
  ['', false],
  ['0.0.0.0', false],
  ['::', false],
  ['10.0.0.5', false],
] as const) {
  test(`isLoopbackHost(${JSON.stringify(host)}) = ${want}`, () => assert.equal(isLoopbackHost(host), want));
}
