import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatDuration, formatRate } from './format.js';

test('bytes in decimal units with three significant figures; nonsense is a dash', () => {
  for (const [bytes, want] of [
    [0, '0 B'],
    [999, '999 B'],
    [1234567, '1.23 MB'],
    [12_345_678, '12.3 MB'],
    [123_456_789, '123 MB'],
    [-1, '–'],
    [Number.NaN, '–'],
    [undefined, '–'],
    [null, '–'],
  ] as const)
    assert.equal(formatBytes(bytes), want, String(bytes));
  assert.equal(formatRate(12_345_678), '12.3 MB/s');
  assert.equal(formatRate(0), '–');
});

test('durations: spaced for the web, packed for the terminal', () => {
  for (const [seconds, spaced, packed] of [
    [45, '45s', '45s'],
    [185, '3m 05s', '3m05s'],
    [7620, '2h 07m', '2h07m'],
    [3 * 86400 + 4 * 3600, '3d 04h', '3d04h'],
    [-1, '–', '–'],
    [undefined, '–', '–'],
  ] as const) {
    assert.equal(formatDuration(seconds), spaced);
    assert.equal(formatDuration(seconds, ''), packed);
  }
});
