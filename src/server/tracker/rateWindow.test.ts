import assert from 'node:assert/strict';
import { test } from 'node:test';
import { etaSeconds, RateWindow } from './rateWindow.js';

test('steady 1 MiB/s gives 1 MiB/s', () => {
  const r = new RateWindow(8000);
  for (let s = 0; s <= 20; s++) r.add(s * 1000, s * 1048576);
  assert.equal(Math.round(r.rate(20_000)), 1048576);
});

test('no samples or one sample gives 0', () => {
  const r = new RateWindow(8000);
  assert.equal(r.rate(0), 0);
  r.add(0, 100);
  assert.equal(r.rate(500), 0);
});

test('speed falls to 0 once the counter stops moving for a whole window', () => {
  const r = new RateWindow(5000);
  for (let s = 0; s <= 5; s++) r.add(s * 1000, s * 1000);
  assert.ok(r.rate(5000) > 0);
  for (let s = 6; s <= 11; s++) r.add(s * 1000, 5000);
  assert.equal(r.rate(11_000), 0);
});

test('speed is 0 when no sample arrived for longer than the window', () => {
  const r = new RateWindow(5000);
  r.add(0, 0);
  r.add(1000, 1000);
  assert.ok(r.rate(1000) > 0);
  assert.equal(r.rate(7000), 0);
});

test('1 MiB steps every 2 s average to 0.5 MiB/s over the window', () => {
  const r = new RateWindow(8000);
  for (let s = 0; s <= 16; s++) r.add(s * 1000, Math.floor(s / 2) * 1048576);
  const rate = r.rate(16_000);
  assert.ok(Math.abs(rate - 524288) / 524288 < 0.15, `rate ${rate}`);
});

test('a sample at the same time keeps the larger counter', () => {
  const r = new RateWindow(8000);
  r.add(0, 0);
  r.add(1000, 500);
  r.add(1000, 1000);
  assert.equal(r.rate(1000), 1000);
});

test('etaSeconds', () => {
  assert.equal(etaSeconds(1000, 100, true), 10);
  assert.equal(etaSeconds(1000, 0, true), undefined);
  assert.equal(etaSeconds(1000, 100, false), undefined);
});
