import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bar, cell, fit, formatDuration, formatPercent } from './terminalFormat.js';

test('formatDuration packs the shared spelling for columns (sizes: src/pulls/format.test.ts)', () => {
  for (const [s, want] of [
    [undefined, '–'],
    [4.4, '4s'],
    [185, '3m05s'],
    [7620, '2h07m'],
    [3 * 86400 + 4 * 3600, '3d04h'],
  ] as Array<[number | undefined, string]>) {
    assert.equal(formatDuration(s), want, String(s));
  }
});

test('formatPercent clamps', () => {
  assert.equal(formatPercent(45.61), '45.6%');
  assert.equal(formatPercent(140), '100.0%');
  assert.equal(formatPercent(undefined), '–');
  assert.equal(formatPercent(Number.NaN), '–');
});

test('bar', () => {
  assert.equal(bar(50, 10), '█████░░░░░');
  assert.equal(bar(0, 4), '░░░░');
  assert.equal(bar(100, 4), '████');
  assert.equal(bar(Number.NaN, 2), '░░');
});

test('fit and cell cut to width and neutralise control characters', () => {
  assert.equal(fit('abcdef', 4), 'abc…');
  assert.equal(fit('ab', 4), 'ab');
  assert.equal(fit('a\u001b[31mb', 12), 'a\\x1b[31mb');
  assert.equal(cell('ab', 4), 'ab  ');
  assert.equal(cell('ab', 4, 'right'), '  ab');
  assert.equal(cell('abcdef', 4), 'abc…');
});
