// Table tests: each domain refusal is answered with its code's status, headers and wording; an
// agent refusal's reason never reaches the caller.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthRefusal } from '../auth/authRefusal.js';
import { CapacityError } from '../tracker/pullTracker.js';
import { admissionRefusalError, authRefusalError, capacityRefusalError } from './refusals.js';

test('agent refusals carry their status and a fixed sentence, never the reason', () => {
  const cases: Array<[AuthRefusal, number, string, Record<string, string>]> = [
    [
      new AuthRefusal('unauthenticated', 'the agent token is invalid or expired (TokenReview did not authenticate it)'),
      401,
      'unauthorized',
      { 'www-authenticate': 'Bearer' },
    ],
    [
      new AuthRefusal('forbidden', 'ServiceAccount default:default may not report (allowed: pulltrace:pulltrace-agent)'),
      403,
      'forbidden',
      {},
    ],
    [
      new AuthRefusal('unavailable', 'cannot check (TokenReview: connect ECONNREFUSED 10.96.0.1:443)', 5),
      503,
      'unavailable',
      { 'retry-after': '5' },
    ],
  ];
  const sentences = new Set<string>();
  for (const [refusal, status, code, headers] of cases) {
    const shown = authRefusalError(refusal);
    assert.equal(shown.statusCode, status);
    assert.equal(shown.code, code);
    assert.deepEqual(shown.headers, headers);
    assert.doesNotMatch(shown.message, /ServiceAccount|10\.96|TokenReview|allowed|invalid or expired/);
    sentences.add(shown.message);
  }
  assert.equal(sentences.size, cases.length, 'one sentence per code');
});

test('too many unknown tokens: 429 saying when to retry', () => {
  const shown = authRefusalError(new AuthRefusal('reviewRate', 'too many unknown agent tokens from this address; retry in 2s', 2));
  assert.equal(shown.statusCode, 429);
  assert.equal(shown.code, 'too_many_token_reviews');
  assert.equal(shown.message, 'too many unknown agent tokens from this address; retry in 2s');
  assert.deepEqual(shown.headers, { 'retry-after': '2' });
});

test('admission refusals are the client’s own quota: 429 with Retry-After', () => {
  const cases = [
    [{ kind: 'requesterRate', retryAfterS: 1 }, 'too_many_reports', 'too many reports from this client; retry in 1s', '1'],
    [{ kind: 'nodeRate', nodeName: 'n1', retryAfterS: 2 }, 'too_many_reports', 'node n1 reports too often; retry in 2s', '2'],
    [
      { kind: 'nodeNames', nodeName: 'n9', maxNodes: 8, retryAfterS: 300 },
      'too_many_nodes',
      'this client already reports for 8 other nodes (PULLTRACE_MAX_NODES_PER_ADDRESS); node n9 is refused',
      '300',
    ],
  ] as const;
  for (const [refusal, code, message, retry] of cases) {
    const shown = admissionRefusalError(refusal);
    assert.equal(shown.statusCode, 429);
    assert.equal(shown.code, code);
    assert.equal(shown.message, message);
    assert.deepEqual(shown.headers, { 'retry-after': retry });
  }
});

test("a node's own cap is 429, the server's shared caps 503; both retry in 30 s", () => {
  const own = capacityRefusalError(new CapacityError('pullsPerNode', 10, 'n1'));
  assert.deepEqual([own.statusCode, own.code, own.headers], [429, 'too_many_pulls', { 'retry-after': '30' }]);
  for (const what of ['nodes', 'pulls'] as const) {
    const shared = capacityRefusalError(new CapacityError(what, 10));
    assert.deepEqual([shared.statusCode, shared.code, shared.headers], [503, 'capacity', { 'retry-after': '30' }]);
    assert.equal(shared.message, new CapacityError(what, 10).message);
  }
});
