import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSlow, nextLowRateSince, SLOW_RATE_FOR_MS, type SlowInput } from './slowPull.js';

const S = { slowEtaMs: 15 * 60_000, slowRateBytesPerSec: 100 * 1024 };
const T = 1_000_000;
const pulling = (o: Partial<SlowInput>): SlowInput => ({
  status: 'pulling',
  bytesPerSec: 0,
  etaSeconds: undefined,
  lowRateSince: undefined,
  ...o,
});

test('isSlow: table', () => {
  const cases: Array<[string, SlowInput, boolean]> = [
    ['fast, short ETA', pulling({ bytesPerSec: 5e6, etaSeconds: 30 }), false],
    ['ETA over 15m', pulling({ bytesPerSec: 5e6, etaSeconds: 15 * 60 + 1 }), true],
    ['ETA exactly 15m', pulling({ bytesPerSec: 5e6, etaSeconds: 15 * 60 }), false],
    ['low rate for 59 s', pulling({ bytesPerSec: 10_000, lowRateSince: T - SLOW_RATE_FOR_MS + 1000 }), false],
    ['low rate for a minute', pulling({ bytesPerSec: 10_000, lowRateSince: T - SLOW_RATE_FOR_MS }), true],
    ['stalled is not slow (it is stalled)', { ...pulling({ lowRateSince: T - 10 * SLOW_RATE_FOR_MS }), status: 'stalled' }, false],
    ['unpacking is not slow', { ...pulling({ etaSeconds: 99_999 }), status: 'unpacking' }, false],
    ['completed is not slow', { ...pulling({ lowRateSince: T - 10 * SLOW_RATE_FOR_MS }), status: 'completed' }, false],
  ];
  for (const [what, input, want] of cases) assert.equal(isSlow(input, T, S), want, what);
});

test('nextLowRateSince: starts under the threshold, holds through a stall, clears on recovery or end', () => {
  assert.equal(nextLowRateSince(pulling({ bytesPerSec: 50_000 }), T, S), T);
  assert.equal(nextLowRateSince(pulling({ bytesPerSec: 50_000, lowRateSince: T - 5000 }), T, S), T - 5000);
  assert.equal(nextLowRateSince({ ...pulling({ lowRateSince: T - 5000 }), status: 'stalled' }, T, S), T - 5000);
  assert.equal(nextLowRateSince(pulling({ bytesPerSec: 100 * 1024, lowRateSince: T - 5000 }), T, S), undefined);
  assert.equal(nextLowRateSince({ ...pulling({ lowRateSince: T - 5000 }), status: 'unpacking' }, T, S), undefined);
});
