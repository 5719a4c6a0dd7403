import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRetryAfter, retryDelayMs } from './backoff.js';

const opts = { baseMs: 1000, capMs: 30_000 };

for (const [failures, random, want] of [
  [1, 0.999, 999],
  [1, 0, 0],
  [2, 0.5, 1000],
  [3, 0.5, 2000],
  [5, 0.999, 15_984],
  [6, 0.999, 29_970],
  [50, 0.999, 29_970],
  [1_000_000, 0.5, 15_000],
] as const) {
  test(`failure ${failures}, random ${random} → ${want} ms`, () => assert.equal(retryDelayMs(failures, random, opts), want));
}

test('Retry-After is a floor with up to one base of jitter', () => {
  assert.equal(retryDelayMs(1, 0, opts, 5), 5000);
  assert.equal(retryDelayMs(1, 0.5, opts, 5), 5500);
  assert.equal(retryDelayMs(9, 0.5, opts, 1e6), 300_500, 'an absurd Retry-After is bounded');
});

test('5,000 agents failing together spread their retries across the window', () => {
  // A deterministic generator: the spread comes from the formula, not from luck.
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const perSecond = new Map<number, number>();
  for (let i = 0; i < 5000; i++) {
    const s = Math.floor(retryDelayMs(6, rand(), opts) / 1000);
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
  }
  assert.ok(
    Math.max(...perSecond.values()) < 300,
    `at most ~1/30 of the agents in any one second (got ${Math.max(...perSecond.values())})`,
  );
});

test('Retry-After parsing', () => {
  assert.equal(parseRetryAfter('30'), 30);
  assert.equal(parseRetryAfter([' 2 ']), 2);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT'), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
  assert.equal(parseRetryAfter('-1'), undefined);
});
