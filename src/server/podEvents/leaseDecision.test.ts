import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type LeaseView, leaseAction, type Observed, observe } from './leaseDecision.js';

const D = 15_000;
const lease = (holder: string, renewTime: string): LeaseView => ({ holder, renewTime, resourceVersion: '1' });

test('no lease: create it; my lease: renew it; a released one: take it', () => {
  assert.equal(leaseAction(undefined, 'me', undefined, 0, D), 'create');
  assert.equal(leaseAction(lease('me', 't1'), 'me', undefined, 0, D), 'renew');
  assert.equal(leaseAction(lease('', 't1'), 'me', undefined, 0, D), 'takeover');
});

test("another holder's lease is taken only after it stayed unchanged for the lease duration, by my own clock", () => {
  let seen: Observed | undefined;
  const other = lease('other', 't1');
  seen = observe(other, seen, 1000);
  assert.equal(leaseAction(other, 'me', seen, 1000, D), 'wait');
  assert.equal(leaseAction(other, 'me', seen, 1000 + D - 1, D), 'wait');
  // renewed meanwhile: the clock starts again
  const renewed = lease('other', 't2');
  seen = observe(renewed, seen, 10_000);
  assert.equal(leaseAction(renewed, 'me', seen, 1000 + D, D), 'wait');
  assert.equal(leaseAction(renewed, 'me', seen, 10_000 + D, D), 'takeover');
});

test('a lease never observed before is not taken at once, whatever its renewTime says', () => {
  assert.equal(leaseAction(lease('other', '1970-01-01T00:00:00.000000Z'), 'me', undefined, 99_999_999, D), 'wait');
});
