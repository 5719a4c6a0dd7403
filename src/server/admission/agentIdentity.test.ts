import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identityFromReview, type TokenReviewStatus } from './agentIdentity.js';

const allowed = [{ namespace: 'pulltrace', name: 'pulltrace-agent' }];
const sa = 'system:serviceaccount:pulltrace:pulltrace-agent';
const ok = (extra: Record<string, string[]>, username = sa): TokenReviewStatus => ({
  authenticated: true,
  audiences: ['pulltrace'],
  user: { username, extra },
});

const cases: Array<[string, TokenReviewStatus, string]> = [
  ['node-bound token', ok({ 'authentication.kubernetes.io/node-name': ['worker-1'] }), 'node:worker-1'],
  [
    'node name wins over pod name',
    ok({ 'authentication.kubernetes.io/node-name': ['worker-1'], 'authentication.kubernetes.io/pod-name': ['agent-x'] }),
    'node:worker-1',
  ],
  [
    'pod-bound token (before 1.30)',
    ok({ 'authentication.kubernetes.io/pod-name': ['agent-x'], 'authentication.kubernetes.io/pod-uid': ['u-1'] }),
    'pod:pulltrace/agent-x/u-1',
  ],
  ['not authenticated', { authenticated: false, error: '[invalid bearer token]' }, 'unauthenticated'],
  ['authenticated without our audience', { ...ok({}), audiences: [] }, 'unauthenticated'],
  ['another ServiceAccount', ok({ 'authentication.kubernetes.io/node-name': ['w'] }, 'system:serviceaccount:default:default'), 'forbidden'],
  [
    'same name, other namespace',
    ok({ 'authentication.kubernetes.io/node-name': ['w'] }, 'system:serviceaccount:x:pulltrace-agent'),
    'forbidden',
  ],
  ['a user, not a ServiceAccount', ok({}, 'alice'), 'forbidden'],
  ['a legacy token bound to nothing', ok({}), 'forbidden'],
];

for (const [name, status, want] of cases) {
  test(`identityFromReview: ${name}`, () => {
    const id = identityFromReview(status, allowed);
    const got =
      id.kind === 'node' ? `node:${id.nodeName}` : id.kind === 'pod' ? `pod:${id.namespace}/${id.podName}/${id.podUid ?? ''}` : id.kind;
    assert.equal(got, want);
    if (id.kind === 'forbidden' || id.kind === 'unauthenticated') assert.ok(id.message.length > 10);
  });
}

test('the refusal of another ServiceAccount names it and the allowed ones', () => {
  const id = identityFromReview(ok({}, 'system:serviceaccount:default:default'), allowed);
  assert.equal(id.kind === 'forbidden' && id.message, 'ServiceAccount default:default may not report (allowed: pulltrace:pulltrace-agent)');
});
