import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { seededBytes } from './seededBytes.js';

test('same seed and size give the same bytes; another seed gives others', () => {
  assert.deepEqual(seededBytes('base', 4096), seededBytes('base', 4096));
  assert.notDeepEqual(seededBytes('base', 4096), seededBytes('other', 4096));
  assert.equal(seededBytes('base', 12345).length, 12345);
});

test('a shorter stream is a prefix of a longer one (size only cuts it)', () => {
  assert.deepEqual(seededBytes('s', 1000), seededBytes('s', 3000).subarray(0, 1000));
});

test('bytes are incompressible', () => {
  const data = seededBytes('x', 1 << 20);
  assert.ok(gzipSync(data).length >= data.length, 'gzip does not shrink seeded bytes');
});

test('a bad size is refused', () => {
  assert.throws(() => seededBytes('x', -1), /size must be a non-negative integer/);
  assert.throws(() => seededBytes('x', 1.5), /size must be a non-negative integer/);
});
