import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodFacts } from '../../k8s/index.js';
import { createLogger } from '../../log/index.js';
import { isLoopbackHost, kubernetesAuth } from './agentAuth.js';
import type { TokenReviewStatus } from './agentIdentity.js';
import { AuthRefusal } from './authRefusal.js';

const SA = { namespace: 'pulltrace', name: 'pulltrace-agent' };
const jwt = (exp: number, id: string) => `h.${Buffer.from(JSON.stringify({ exp, jti: id })).toString('base64url')}.s`;
const nodeBound = (node: string): TokenReviewStatus => ({
  authenticated: true,
  audiences: ['pulltrace'],
  user: { username: 'system:serviceaccount:pulltrace:pulltrace-agent', extra: { 'authentication.kubernetes.io/node-name': [node] } },
});

function setup(answer: (token: string) => Promise<TokenReviewStatus>, pods: Record<string, PodFacts> = {}) {
  let now = 1_000_000;
  const calls: string[] = [];
  const lines: Array<{ level: string; msg: string }> = [];
  const held: number[] = [];
  const auth = kubernetesAuth({
    review: async (token, audiences) => {
      assert.deepEqual(audiences, ['pulltrace']);
      calls.push(token);
      return answer(token);
    },
    serviceAccounts: [SA],
    podFacts: (ns, name) => pods[`${ns}/${name}`],
    logger: createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) }),
    now: () => now,
    onOutageRefusal: (retryAt) => held.push(retryAt),
  });
  return { auth, calls, lines, held, advance: (ms: number) => (now += ms), now: () => now };
}

async function status(p: Promise<unknown>): Promise<string> {
  try {
    const r = (await p) as { nodeName?: string };
    return r.nodeName ?? 'ok';
  } catch (err) {
    return err instanceof AuthRefusal ? err.kind : String(err);
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

test('refusals: unauthenticated without a token or when TokenReview says so, forbidden for another account, unavailable when the review fails', async () => {
  const s = setup(async (token) => {
    if (token === 'down') throw new Error('connect ECONNREFUSED');
    if (token === 'other')
      return { authenticated: true, audiences: ['pulltrace'], user: { username: 'system:serviceaccount:default:default' } };
    return { authenticated: false, error: 'invalid bearer token' };
  });
  assert.equal(await status(s.auth.authenticate(undefined)), 'unauthenticated');
  assert.equal(await status(s.auth.authenticate('Basic abc')), 'unauthenticated');
  assert.equal(await status(s.auth.authenticate('Bearer forged')), 'unauthenticated');
  assert.equal(await status(s.auth.authenticate('Bearer other')), 'forbidden');
  assert.equal(await status(s.auth.authenticate('Bearer down')), 'unavailable');
  assert.equal(await status(s.auth.authenticate('Bearer down')), 'unavailable');
  assert.equal(s.calls.filter((t) => t === 'down').length, 1, 'during an outage, one review per probe period');
  s.advance(5_000);
  assert.equal(await status(s.auth.authenticate('Bearer down')), 'unavailable', 'an outage is not cached');
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
  assert.equal(await status(s.auth.authenticate('Bearer t')), 'unauthenticated');
  delete pods['pulltrace/agent-x'];
  assert.equal(await status(s.auth.authenticate('Bearer t')), 'forbidden');
});

const unauthenticated: TokenReviewStatus = { authenticated: false, error: 'invalid bearer token' };

async function refusal(p: Promise<unknown>): Promise<AuthRefusal> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AuthRefusal) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

test('2,000 junk tokens from one address cost at most its burst of reviews; then refused with a retry time; another address is still reviewed', async () => {
  const agent = jwt(2_000_000, 'agent');
  const s = setup(async (token) => (token === agent ? nodeBound('node-a') : unauthenticated));
  const statuses = new Map<string, number>();
  for (let i = 0; i < 2_000; i++) {
    const st = await status(s.auth.authenticate(`Bearer junk-${i}`, 'addr:10.0.0.66'));
    statuses.set(st, (statuses.get(st) ?? 0) + 1);
  }
  assert.equal(s.calls.length, 10, 'a burst of twice the default 5 reviews a second');
  assert.deepEqual(Object.fromEntries(statuses), { unauthenticated: 10, reviewRate: 1_990 });
  const err = await refusal(s.auth.authenticate('Bearer junk-more', 'addr:10.0.0.66'));
  assert.equal(err.kind, 'reviewRate');
  assert.equal(err.retryAfterS, 1);
  assert.equal(await status(s.auth.authenticate(`Bearer ${agent}`, 'addr:10.0.0.7')), 'node-a', 'another address is not charged');
  // a refused token is answered from its own cache: asking again costs no review and no budget
  assert.equal(await status(s.auth.authenticate('Bearer junk-0', 'addr:10.0.0.66')), 'unauthenticated');
  s.advance(1_000);
  for (let i = 0; i < 100; i++) await status(s.auth.authenticate(`Bearer later-${i}`, 'addr:10.0.0.66'));
  assert.equal(s.calls.length, 16, 'five more a second');
});

test('concurrent reviews are capped: 16 run, 64 wait, the rest are refused as unavailable at once', async () => {
  const pending: Array<() => void> = [];
  const s = setup(
    () =>
      new Promise((resolve) => {
        pending.push(() => resolve(unauthenticated));
      }),
  );
  const answers = Array.from({ length: 100 }, (_, i) => status(s.auth.authenticate(`Bearer slow-${i}`, `addr:10.0.${i}.1`)));
  const busy = await refusal(s.auth.authenticate('Bearer slow-x', 'addr:10.9.9.9'));
  assert.equal(busy.kind, 'unavailable');
  assert.equal(busy.retryAfterS, 1);
  assert.equal(s.calls.length, 16);
  while (pending.length > 0) {
    for (const answer of pending.splice(0)) answer();
    await new Promise((r) => setImmediate(r));
  }
  const results = await Promise.all(answers);
  assert.equal(results.filter((r) => r === 'unauthenticated').length, 80);
  assert.equal(results.filter((r) => r === 'unavailable').length, 20);
  assert.equal(s.calls.length, 80);
});

test('TokenReview down: a token reviewed before is accepted until it expires, an unknown one is refused as unavailable; logged once each way', async () => {
  let down = false;
  const s = setup(async () => {
    if (down) throw new Error('the API server answered HTTP 503');
    return nodeBound('node-a');
  });
  const known = jwt((s.now() + 300_000) / 1000, 'known');
  assert.equal(await status(s.auth.authenticate(`Bearer ${known}`)), 'node-a');
  assert.equal(s.auth.degraded?.(), false);
  down = true;
  s.advance(61_000);
  assert.equal(await status(s.auth.authenticate(`Bearer ${known}`)), 'node-a', 'stale answer used when the review fails');
  assert.equal(s.auth.degraded?.(), true);
  assert.equal(s.calls.length, 2);
  for (let i = 0; i < 20; i++) {
    s.advance(1_000);
    assert.equal(await status(s.auth.authenticate(`Bearer ${known}`)), 'node-a');
  }
  assert.ok(s.calls.length <= 2 + 5, `while down, a review is tried once per probe period (${s.calls.length - 2} in 20 s)`);
  assert.deepEqual(s.held, [], 'accepted reports hold nothing');

  const unknown = jwt((s.now() + 300_000) / 1000, 'rotated');
  const err = await refusal(s.auth.authenticate(`Bearer ${unknown}`));
  assert.equal(err.kind, 'unavailable');
  assert.equal(err.retryAfterS, 5);
  assert.deepEqual(s.held, [s.now() + 6_000], "a report refused for the outage holds node timeouts until its sender's retry");

  // the token's own expiry ends the stale answer
  s.advance(300_000);
  assert.equal(await status(s.auth.authenticate(`Bearer ${known}`)), 'unavailable');

  down = false;
  s.advance(5_000);
  assert.equal(await status(s.auth.authenticate(`Bearer ${unknown}`)), 'node-a');
  assert.equal(s.auth.degraded?.(), false);
  const warns = s.lines.filter((l) => l.level === 'warn');
  assert.equal(warns.length, 1);
  assert.match(warns[0]?.msg ?? '', /TokenReview failed.*accepted on that answer until the token expires/);
  assert.equal(s.lines.filter((l) => l.msg === 'TokenReview answers again; agent tokens are checked again').length, 1);
});

test('a stale answer is reviewed again when TokenReview answers: a revoked token is refused', async () => {
  let revoked = false;
  const s = setup(async () => (revoked ? unauthenticated : nodeBound('node-a')));
  const token = jwt((s.now() + 3_600_000) / 1000, 'r');
  assert.equal(await status(s.auth.authenticate(`Bearer ${token}`)), 'node-a');
  revoked = true;
  s.advance(60_000);
  assert.equal(await status(s.auth.authenticate(`Bearer ${token}`)), 'unauthenticated');
  assert.equal(s.calls.length, 2);
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
