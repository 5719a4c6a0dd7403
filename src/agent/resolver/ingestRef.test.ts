import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIngestRef } from './ingestRef.js';

const HEX = 'f86c26d2f4bc34cfc9724dd283281c36f12ba9577322cd48053f8eb8a59509ec';

const cases: Array<[string, ReturnType<typeof parseIngestRef>]> = [
  [`layer-sha256:${HEX}`, { kind: 'layer', digest: `sha256:${HEX}` }],
  [`config-sha256:${HEX}`, { kind: 'config', digest: `sha256:${HEX}` }],
  [`manifest-sha256:${HEX}`, { kind: 'manifest', digest: `sha256:${HEX}` }],
  [`index-sha256:${HEX}`, { kind: 'index', digest: `sha256:${HEX}` }],
  [`manifest-docker.io/library/nginx:1.27@sha256:${HEX}`, { kind: 'manifest', digest: `sha256:${HEX}` }],
  [`unknown-sha256:${HEX}`, { kind: 'unknown', digest: `sha256:${HEX}` }],
  [`sha256:${HEX}`, undefined],
  [`layer-sha256:${HEX.slice(0, 10)}`, undefined],
  ['my-upload-1', undefined],
  ['', undefined],
  [`blob-sha256:${HEX}`, undefined],
];

for (const [ref, want] of cases) {
  test(`parseIngestRef(${JSON.stringify(ref.slice(0, 40))})`, () => assert.deepEqual(parseIngestRef(ref), want));
}
