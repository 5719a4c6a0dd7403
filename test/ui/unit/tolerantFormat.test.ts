// Formatting helpers take whatever a broken or hostile server could send (null, NaN, Infinity,
// a string) and print a dash instead of throwing, which would blank the row.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatDuration, formatRate } from '../../../src/pulls/index.js';
import { formatPercent } from '../../../web/src/format/percent.js';

const odd: unknown[] = [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '12', {}, -5];

for (const value of odd) {
  const label = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? 'undefined');
  test(`formatters print a dash for ${label}`, () => {
    assert.equal(formatPercent(value as number), typeof value === 'number' && Number.isFinite(value) ? '0.0%' : '–');
    assert.equal(formatBytes(value as number), '–');
    assert.equal(formatRate(value as number), '–');
    assert.equal(formatDuration(value as number), '–');
  });
}

for (const [input, want] of [
  [0, '0.0%'],
  [42.345, '42.3%'],
  [99.99, '100.0%'],
  [100, '100%'],
  [250, '100%'],
] as const) {
  test(`formatPercent(${input}) = ${want}`, () => assert.equal(formatPercent(input), want));
}
