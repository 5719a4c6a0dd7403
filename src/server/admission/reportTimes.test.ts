import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportTimeProblem, timeProblem } from './reportTimes.js';

const NOW = Date.parse('2026-11-27T10:00:00Z');

const cases: Array<[string | undefined, RegExp | undefined]> = [
  [undefined, undefined],
  ['', undefined],
  ['0001-01-01T00:00:00Z', undefined],
  ['2026-11-27T09:59:58Z', undefined],
  ['2026-11-27T10:09:59+00:00', undefined],
  ['2000-01-01T00:00:00.001Z', undefined],
  ['1999-12-31T23:59:59Z', /must be after 2000-01-01/],
  ['1970-01-01T00:00:00Z', /must be after 2000-01-01/],
  ['2026-11-27T10:10:01Z', /more than 10 minutes ahead/],
  ['+275760-09-13T00:00:00Z', /RFC 3339/],
  ['yesterday', /RFC 3339/],
  ['2026-11-27', /RFC 3339/],
  ['2026-13-45T99:00:00Z', /RFC 3339/],
];

for (const [text, want] of cases) {
  test(`startedAt ${JSON.stringify(text)} → ${want ?? 'accepted'}`, () => {
    const got = timeProblem('pulls[0].startedAt', text, NOW);
    if (!want) assert.equal(got, undefined);
    else assert.match(got ?? '', want);
    if (want) assert.match(got ?? '', /^pulls\[0\]\.startedAt /);
  });
}

test('a report names the first bad field', () => {
  const ok = { imageRef: 'a', layers: [] };
  assert.equal(reportTimeProblem({ nodeName: 'n', pulls: [ok] }, NOW), undefined);
  assert.match(
    reportTimeProblem({ nodeName: 'n', pulls: [ok, { ...ok, startedAt: '1980-01-01T00:00:00Z' }] }, NOW) ?? '',
    /^pulls\[1\]\.startedAt must be after 2000-01-01/,
  );
  assert.match(reportTimeProblem({ nodeName: 'n', timestamp: '3000-01-01T00:00:00Z', pulls: [] }, NOW) ?? '', /^timestamp /);
});
