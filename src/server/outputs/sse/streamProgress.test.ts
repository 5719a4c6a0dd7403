import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookAtStream, NOT_STALLED, type StreamProgress, stalledFor } from './streamProgress.js';

// Each row: looks at the socket in turn ([waiting, taken, now]) and how long it is stalled after the last.
const cases: Array<[string, Array<[number, number, number]>, number]> = [
  [
    'idle with nothing waiting is never stalled',
    [
      [0, 100, 0],
      [0, 100, 60_000],
    ],
    0,
  ],
  [
    'data waiting, nothing taken: stalled since the first look that saw it',
    [
      [0, 100, 0],
      [50, 100, 1_000],
      [50, 100, 31_000],
    ],
    30_000,
  ],
  [
    'a byte taken starts the count again',
    [
      [50, 100, 1_000],
      [50, 100, 20_000],
      [49, 101, 25_000],
      [49, 101, 30_000],
    ],
    5_000,
  ],
  [
    'more data queued but nothing taken is still stalled',
    [
      [50, 100, 1_000],
      [5_000, 100, 9_000],
    ],
    8_000,
  ],
  [
    'everything taken ends the stall',
    [
      [50, 100, 1_000],
      [0, 150, 40_000],
    ],
    0,
  ],
  [
    'waiting again after a drained spell counts from then',
    [
      [50, 100, 1_000],
      [0, 150, 2_000],
      [10, 150, 3_000],
      [10, 150, 4_500],
    ],
    1_500,
  ],
];

for (const [name, looks, want] of cases) {
  test(name, () => {
    let p: StreamProgress = NOT_STALLED;
    let now = 0;
    for (const [waiting, taken, at] of looks) {
      p = lookAtStream(p, waiting, taken, at);
      now = at;
    }
    assert.equal(stalledFor(p, now), want);
  });
}
