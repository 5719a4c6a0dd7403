import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digestFilters, imageTargetFilters, indexesNamingFilters, manifestsNamingFilters } from './filters.js';

const D = 'sha256:f86c26d2f4bc34cfc9724dd283281c36f12ba9577322cd48053f8eb8a59509ec';

test('manifestsNamingFilters: config label then each layer position', () => {
  assert.deepEqual(manifestsNamingFilters([D], 2), [
    `labels."containerd.io/gc.ref.content.config"=="${D}"`,
    `labels."containerd.io/gc.ref.content.l.0"=="${D}"`,
    `labels."containerd.io/gc.ref.content.l.1"=="${D}"`,
  ]);
  assert.equal(manifestsNamingFilters([D, D]).length, 2 * 129);
});

test('indexesNamingFilters: one per platform position', () => {
  assert.deepEqual(indexesNamingFilters(D, 2), [
    `labels."containerd.io/gc.ref.content.m.0"=="${D}"`,
    `labels."containerd.io/gc.ref.content.m.1"=="${D}"`,
  ]);
});

test('digest and image target filters', () => {
  assert.deepEqual(digestFilters([D]), [`digest=="${D}"`]);
  assert.deepEqual(imageTargetFilters([D]), [`target.digest=="${D}"`]);
  assert.deepEqual(digestFilters([]), []);
});
