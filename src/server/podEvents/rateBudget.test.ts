import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKOFF_MAX_MS, Backoff, parseRetryAfter, TokenBucket } from './rateBudget.js';

test('the bucket gives its burst at once, then the rate', () => {
  const b = new TokenBucket(5, 10, 0);
  let taken = 0;
  while (b.take(0)) taken++;
  assert.equal(taken, 10);
  assert.equal(b.waitMs(0), 200);
  assert.equal(b.take(199), false);
  assert.equal(b.take(200), true);
  // over any second after that: at most the rate
  let later = 0;
  for (let t = 210; t <= 1200; t += 10) if (b.take(t)) later++;
  assert.equal(later, 5);
});

test('the bucket never holds more than its burst however long it rested', () => {
  const b = new TokenBucket(5, 3, 0);
  let taken = 0;
  while (b.take(3_600_000)) taken++;
  assert.equal(taken, 3);
});

test('back-off doubles per rejection in a row, takes a longer Retry-After, caps, and resets on success', () => {
  const b = new Backoff();
  assert.equal(b.reject(0, undefined), 1000);
  assert.equal(b.reject(0, undefined), 2000);
  assert.equal(b.reject(0, 7), 7000, 'Retry-After longer than our own step');
  assert.equal(b.waitMs(3000), 4000);
  for (let i = 0; i < 20; i++) b.reject(0, undefined);
  assert.equal(b.waitMs(0), BACKOFF_MAX_MS);
  assert.equal(b.reject(0, 100_000), BACKOFF_MAX_MS, 'a huge Retry-After is capped too');
  b.succeeded();
  assert.equal(b.reject(100_000, undefined), 101_000);
});

test('Retry-After: delta seconds only', () => {
  assert.equal(parseRetryAfter('3'), 3);
  assert.equal(parseRetryAfter(['1']), 1);
  assert.equal(parseRetryAfter(undefined), undefined);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT'), undefined);
  assert.equal(parseRetryAfter('-1'), undefined);
});
