import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGoDurationSeconds } from './goDuration.js';

const cases: Array<[string, number | undefined]> = [
  ['0s', 0],
  ['0', 0],
  ['850ns', 850e-9],
  ['12µs', 12e-6],
  ['12μs', 12e-6],
  ['12us', 12e-6],
  ['599ms', 0.599],
  ['766.194986ms', 0.766194986],
  ['1.594s', 1.594],
  ['2.054673412s', 2.054673412],
  ['49.657983991s', 49.657983991],
  ['1m21.284220239s', 81.284220239],
  ['1m21.284s', 81.284],
  ['1h2m3s', 3723],
  ['-1.5s', -1.5],
  ['', undefined],
  ['1.5', undefined],
  ['5 s', undefined],
  ['abc', undefined],
  ['1d', undefined],
];
for (const [input, want] of cases) {
  test(`parse Go duration ${JSON.stringify(input)}`, () => assert.equal(parseGoDurationSeconds(input), want));
}
