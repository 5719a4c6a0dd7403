import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseByteRate } from './byteRate.js';

for (const [text, want] of [
  ['100KiB/s', 102_400],
  ['100kib/s', 102_400],
  ['1.5MiB/s', 1_572_864],
  ['2MiB', 2_097_152],
  ['500kB/s', 500_000],
  ['1GB/s', 1_000_000_000],
  ['102400', 102_400],
  [' 64 B/s ', 64],
] as const) {
  test(`parseByteRate ${JSON.stringify(text)} = ${want}`, () => assert.equal(parseByteRate(text), want));
}

for (const bad of ['', 'fast', '0', '0KiB/s', '-5KiB/s', '100 KiB per second', '100TiB/s', '0.1']) {
  test(`parseByteRate rejects ${JSON.stringify(bad)} with examples`, () =>
    assert.throws(() => parseByteRate(bad), /is not a rate of at least 1 byte per second \(examples: 100KiB\/s/));
}
