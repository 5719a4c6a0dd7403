import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReviewOutage } from './reviewOutage.js';

test('an outage starts at the first failure and ends at the first answer, each reported once', () => {
  const o = new ReviewOutage(5_000);
  assert.equal(o.active, false);
  assert.equal(o.answered(0), undefined, 'an answer outside an outage ends nothing');
  assert.equal(o.failed(1_000), true);
  assert.equal(o.failed(2_000), false);
  assert.equal(o.active, true);
  assert.equal(o.answered(61_000), 60_000);
  assert.equal(o.active, false);
  assert.equal(o.answered(62_000), undefined);
});

test('outside an outage every review may be tried; inside, one per probe period from the last try', () => {
  const o = new ReviewOutage(5_000);
  o.trying(0);
  assert.equal(o.mayTry(0), true);
  o.trying(1_000);
  o.failed(1_000);
  assert.equal(o.mayTry(1_001), false);
  assert.equal(o.mayTry(5_999), false);
  assert.equal(o.mayTry(6_000), true);
  assert.equal(o.mayTry(6_000), true, 'asking does not take the turn');
  o.trying(6_000);
  assert.equal(o.mayTry(6_001), false, 'a try takes it');
  assert.equal(o.mayTry(11_000), true);
  o.answered(11_600);
  o.trying(11_600);
  assert.equal(o.mayTry(11_601), true);
});
