import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPlaceholderImageRef } from './placeholderImageRef.js';

test('placeholders: empty, bare digests and raw ingest names; real names are not', () => {
  const table: Array<[string, boolean]> = [
    ['', true],
    ['sha256:abcdef', true],
    ['sha256:', true],
    ['layer-sha256:abcdef0123', true],
    ['config-sha256:abcdef', true],
    ['manifest-sha256:abcdef', true],
    ['index-sha256:abcdef', true],
    ['LAYER-SHA256:ABCDEF', true],
    ['docker.io/library/nginx:1.27', false],
    ['127.0.0.1/app', false],
    ['layer-foo', false],
    ['nginx@sha256:abcdef', false],
    ['blob-sha256:abcdef', false],
  ];
  for (const [ref, expected] of table) assert.equal(isPlaceholderImageRef(ref), expected, JSON.stringify(ref));
});
