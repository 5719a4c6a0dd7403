import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReviewCache, tokenHash } from './reviewCache.js';

const opts = { ttlMs: 60_000, negativeTtlMs: 10_000, maxEntries: 3, maxNegativeEntries: 2 };

test('a positive answer is fresh for the ttl, then stale until the token expires', () => {
  const c = new ReviewCache<string>(opts);
  c.set('k', 'v', 0, true, 3_600_000);
  assert.deepEqual(c.get('k', 59_999), { value: 'v', positive: true, fresh: true });
  assert.deepEqual(c.get('k', 60_000), { value: 'v', positive: true, fresh: false });
  assert.deepEqual(c.get('k', 3_599_999), { value: 'v', positive: true, fresh: false });
  assert.equal(c.get('k', 3_600_000), undefined);
});

test('a token without an expiry is not kept past the ttl', () => {
  const c = new ReviewCache<string>(opts);
  c.set('k', 'v', 0, true);
  assert.equal(c.get('k', 59_999)?.fresh, true);
  assert.equal(c.get('k', 60_000), undefined);
});

test('never past the token expiry', () => {
  const c = new ReviewCache<string>(opts);
  c.set('k', 'v', 0, true, 5_000);
  assert.equal(c.get('k', 4_999)?.fresh, true);
  assert.equal(c.get('k', 5_000), undefined);
  c.set('expired', 'v', 10_000, true, 9_000);
  assert.equal(c.get('expired', 10_000), undefined);
  c.set('expired-no', 'no', 10_000, false, 9_000);
  assert.equal(c.size, 0);
});

test('refusals are kept shorter', () => {
  const c = new ReviewCache<string>(opts);
  c.set('k', 'no', 0, false, 3_600_000);
  assert.deepEqual(c.get('k', 9_999), { value: 'no', positive: false, fresh: true });
  assert.equal(c.get('k', 10_000), undefined);
});

test('a flood of refusals never evicts a positive answer', () => {
  const c = new ReviewCache<string>(opts);
  c.set('agent-1', 'node-1', 0, true, 3_600_000);
  c.set('agent-2', 'node-2', 0, true, 3_600_000);
  for (let i = 0; i < 2_000; i++) c.set(`junk-${i}`, 'no', 1, false);
  assert.equal(c.get('agent-1', 2)?.value, 'node-1');
  assert.equal(c.get('agent-2', 2)?.value, 'node-2');
  assert.equal(c.negativeSize, 2, 'refusals are bounded on their own');
  assert.equal(c.get('junk-1999', 2)?.value, 'no');
  assert.equal(c.get('junk-0', 2), undefined, 'the oldest refusal went first');
});

test('positive answers are bounded: the oldest goes first', () => {
  const c = new ReviewCache<string>(opts);
  for (const k of ['a', 'b', 'c', 'd']) c.set(k, k, 0, true);
  assert.equal(c.size, 3);
  assert.equal(c.get('a', 1), undefined);
  assert.equal(c.get('d', 1)?.value, 'd');
});

test('a new answer replaces the other kind: a revoked token loses its positive answer', () => {
  const c = new ReviewCache<string>(opts);
  c.set('k', 'node', 0, true, 3_600_000);
  c.set('k', 'revoked', 70_000, false, 3_600_000);
  assert.deepEqual(c.get('k', 70_001), { value: 'revoked', positive: false, fresh: true });
  assert.equal(c.get('k', 80_000), undefined, 'the stale positive answer is gone too');
  c.set('k', 'node', 90_000, true, 3_600_000);
  assert.equal(c.get('k', 90_001)?.positive, true);
  assert.equal(c.size, 1);
});

test('tokenHash does not contain the token', () => {
  assert.doesNotMatch(tokenHash('secret-token'), /secret/);
  assert.equal(tokenHash('a'), tokenHash('a'));
  assert.notEqual(tokenHash('a'), tokenHash('b'));
});
