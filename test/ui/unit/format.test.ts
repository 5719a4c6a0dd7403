import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatDuration, formatRate } from '../../../src/pulls/index.js';
import { shortDigest } from '../../../web/src/format/digest.js';
import { secondsBetween } from '../../../web/src/format/duration.js';
import { shortImageRef } from '../../../web/src/format/imageRef.js';
import { shortMediaType } from '../../../web/src/format/mediaType.js';

for (const [input, want] of [
  [0, '0 B'],
  [999, '999 B'],
  [1000, '1.00 kB'],
  [1234567, '1.23 MB'],
  [45_600_000, '45.6 MB'],
  [456_000_000, '456 MB'],
  [2.5e12, '2.50 TB'],
  [-1, '–'],
  [Number.NaN, '–'],
] as const) {
  test(`formatBytes(${input}) = ${want}`, () => assert.equal(formatBytes(input), want));
}

for (const [input, want] of [
  [0, '–'],
  [1_500_000, '1.50 MB/s'],
  [999.6, '1.00 kB/s'],
] as const) {
  test(`formatRate(${input}) = ${want}`, () => assert.equal(formatRate(input), want));
}

for (const [input, want] of [
  [undefined, '–'],
  [-3, '–'],
  [0, '0s'],
  [44.6, '45s'],
  [185, '3m 05s'],
  [7620, '2h 07m'],
  [3 * 86400 + 3600, '3d 01h'],
] as const) {
  test(`formatDuration(${input}) = ${want}`, () => assert.equal(formatDuration(input), want));
}

test('secondsBetween uses now for a running pull and the end time for a finished one', () => {
  const start = '2026-01-01T00:00:00Z';
  assert.equal(secondsBetween(start, null, Date.parse('2026-01-01T00:01:30Z')), 90);
  assert.equal(secondsBetween(start, '2026-01-01T00:00:12.5Z', 0), 12.5);
  assert.equal(secondsBetween('not a time', null, 0), undefined);
  assert.equal(secondsBetween(undefined, null, 0), undefined);
});

const LONG_HEX = '0123456789abcdef'.repeat(4);
for (const [input, want] of [
  ['docker.io/library/nginx:1.27', 'nginx:1.27'],
  ['docker.io/bitnami/redis:7.2', 'bitnami/redis:7.2'],
  ['127.0.0.1:5000/app:v1', '127.0.0.1:5000/app:v1'],
  [`quay.io/prometheus/prometheus@sha256:${LONG_HEX}`, 'quay.io/…/prometheus@sha256:0123456789ab…'],
  ['registry.example.com/platform/team-a/services/payments/api-gateway:2026.11.27-1', 'registry.example.com/…/api-gateway:2026.11.27-1'],
  [
    'registry.example.com/a/b/an-extremely-long-repository-name-that-goes-on-and-on:tag',
    'an-extremely-long-repository-name-that-goes-on-…',
  ],
] as const) {
  test(`shortImageRef(${input}) = ${want}`, () => {
    const short = shortImageRef(input);
    assert.equal(short, want);
    assert.ok(short.length <= 48);
  });
}

for (const [input, want] of [
  ['application/vnd.docker.image.rootfs.diff.tar.gzip', 'tar+gzip'],
  ['application/vnd.oci.image.layer.v1.tar+gzip', 'tar+gzip'],
  ['application/vnd.oci.image.layer.v1.tar+zstd', 'tar+zstd'],
  ['application/vnd.oci.image.layer.v1.tar', 'tar'],
  ['application/vnd.oci.image.config.v1+json', 'config'],
  ['application/vnd.docker.container.image.v1+json', 'config'],
  ['application/vnd.example.thing.v2+cbor', 'v2+cbor'],
  ['', '–'],
] as const) {
  test(`shortMediaType(${input || '""'}) = ${want}`, () => assert.equal(shortMediaType(input), want));
}

test('shortDigest keeps 12 hex characters without the algorithm', () => {
  assert.equal(shortDigest(`sha256:${LONG_HEX}`), '0123456789ab');
  assert.equal(shortDigest('abc'), 'abc');
});
