import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReviewCache, tokenHash } from './reviewCache.js';

const opts = { ttlMs: 60_000, negativeTtlMs: 10_000, maxEntries: 3 };

test('an answer is kept for the ttl', () => {
  const c = new ReviewCache<string>(opts);
  c.set('k', 'v', 0, true);
  assert.equal(c.get('k', 59_999), 'v');
  assert.equal(c.get('k', 60_000), undefined);
});

test('never past the token expiry', () => {
  const c = new ReviewCache<string>(opts);
  c.set('k', 'v', 0, true, 5_000);
  assert.equal(c.get('k', 4_999), 'v');
  assert.equal(c.get('k', 5_000), undefined);
  c.set('expired', 'v', 10_000, true, 9_000);
  assert.equal(c.get('expired', 10_000), undefined);
  assert.equal(c.size, 0);
});

test('refusals are kept shorter', () => {
  const c = new ReviewCache<string>(opts);
  c.set('k', 'no', 0, false);
  assert.equal(c.get('k', 9_999), 'no');
  assert.equal(c.get('k', 10_000), undefined);
});

test('bounded: the oldest entry goes first', () => {
  const c = new ReviewCache<string>(opts);
  for (const k of ['a', 'b', 'c', 'd']) c.set(k, k, 0, true);
  assert.equal(c.size, 3);
  assert.equal(c.get('a', 1), undefined);
  assert.equal(c.get('d', 1), 'd');
});

test('tokenHash does not contain the token', () => {
  assert.doesNotMatch(tokenHash('secret-token'), /secret/);
  assert.equal(tokenHash('a'), tokenHash('a'));
  assert.notEqual(tokenHash('a'), tokenHash('b'));
});
