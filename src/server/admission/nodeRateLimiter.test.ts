import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeRateLimiter } from './nodeRateLimiter.js';

test('allows a burst of twice the rate, then asks to retry', () => {
  const rl = new NodeRateLimiter(2);
  for (let i = 0; i < 4; i++) assert.equal(rl.take('a', 0), 0, `request ${i}`);
  assert.equal(rl.take('a', 0), 1);
});

test('refills over time and keeps nodes apart', () => {
  const rl = new NodeRateLimiter(1);
  assert.equal(rl.take('a', 0), 0);
  assert.equal(rl.take('a', 0), 0);
  assert.ok(rl.take('a', 0) > 0);
  assert.equal(rl.take('b', 0), 0, 'another node is not limited');
  assert.equal(rl.take('a', 1000), 0, 'one token back after a second');
});

test('one report a second is always allowed', () => {
  const rl = new NodeRateLimiter(1);
  for (let s = 0; s < 100; s++) assert.equal(rl.take('a', s * 1000), 0);
});

test('a burst given apart from the rate', () => {
  const rl = new NodeRateLimiter(1, 5);
  for (let i = 0; i < 5; i++) assert.equal(rl.take('a', 0), 0, `request ${i}`);
  assert.equal(rl.take('a', 0), 1);
});
