import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration, parseDurationSeconds } from './goDuration.js';

const valid: Array<[string, number]> = [
  ['0', 0],
  ['500ms', 500],
  ['2s', 2000],
  ['1.5s', 1500],
  ['30m', 1_800_000],
  ['1h30m', 5_400_000],
  ['168h', 604_800_000],
  ['1h2m3s', 3_723_000],
  ['850ns', 0.00085],
  ['12µs', 0.012],
  ['12us', 0.012],
  ['-1s', -1000],
  ['.5s', 500],
];
for (const [text, want] of valid) {
  test(`parseDuration(${JSON.stringify(text)}) = ${want}ms`, () => {
    assert.ok(Math.abs((parseDuration(text) as number) - want) < 1e-9);
  });
}

for (const text of ['', 'fast', '10', '1x', 's', '1h 30m', '1.2.3s', 'ms']) {
  test(`parseDuration(${JSON.stringify(text)}) is not a duration`, () => {
    assert.equal(parseDuration(text), undefined);
  });
}

test('formatDuration prints Go-style text', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(30_000), '30s');
  assert.equal(formatDuration(5_400_000), '1h30m0s');
  assert.equal(formatDuration(90_000), '1m30s');
});

// Durations as kubelet prints them in `Successfully pulled image … in …`.
const kubeletCases: Array<[string, number | undefined]> = [
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
for (const [input, want] of kubeletCases) {
  test(`parse Go duration ${JSON.stringify(input)}`, () => assert.equal(parseDurationSeconds(input), want));
}
