import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRepositoryOf, parseCacheTime } from './blobLocation.js';

for (const [text, want] of [
  ['2026-12-07 23:29:00.204767982+00:00', Date.parse('2026-12-07T23:29:00.204Z')],
  ['2026-12-07 23:29:00+02:00', Date.parse('2026-12-07T21:29:00Z')],
  ['2026-12-07T23:29:00.5Z', Date.parse('2026-12-07T23:29:00.500Z')],
  ['2026-12-07 23:29:00', Date.parse('2026-12-07T23:29:00Z')],
  ['yesterday', undefined],
] as const) {
  test(`cache time ${text}`, () => assert.equal(parseCacheTime(text), want));
}

test('a repository names the images of its tags and digests only', () => {
  assert.ok(isRepositoryOf('127.0.0.1:5000/app', '127.0.0.1:5000/app:v1'));
  assert.ok(isRepositoryOf('127.0.0.1:5000/app', '127.0.0.1:5000/app@sha256:ab'));
  assert.ok(!isRepositoryOf('127.0.0.1:5000/app', '127.0.0.1:5000/app2:v1'));
  assert.ok(!isRepositoryOf('127.0.0.1:5000/app', '127.0.0.1:5000/app/sub:v1'));
});
