import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManifestError, parseManifestBlob } from './manifest.js';

const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

// The shape observed on containerd 1.6 here (OCI manifest pushed by skopeo).
const OCI_MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d(1), size: 237 },
  layers: [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(2), size: 3146535 },
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(3), size: 2097739 },
  ],
});

test('an OCI manifest gives config and layers in order', () => {
  assert.deepEqual(parseManifestBlob(Buffer.from(OCI_MANIFEST), d(9)), {
    kind: 'manifest',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d(1), size: 237 },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(2), size: 3146535 },
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(3), size: 2097739 },
    ],
  });
});

test('an index gives its manifests', () => {
  const index = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: d(4), size: 500 }] };
  assert.deepEqual(parseManifestBlob(JSON.stringify(index), d(9)), {
    kind: 'index',
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: d(4), size: 500 }],
  });
});

test('an index entry keeps its platform; a malformed platform is left out, the entry kept', () => {
  const M = 'application/vnd.oci.image.manifest.v1+json';
  const index = {
    schemaVersion: 2,
    manifests: [
      { mediaType: M, digest: d(4), size: 500, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { mediaType: M, digest: d(5), size: 501, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: M, digest: d(6), size: 502, platform: { architecture: 7 } },
    ],
  };
  assert.deepEqual(parseManifestBlob(JSON.stringify(index), d(9)), {
    kind: 'index',
    manifests: [
      { mediaType: M, digest: d(4), size: 500, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { mediaType: M, digest: d(5), size: 501, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: M, digest: d(6), size: 502 },
    ],
  });
});

const bad: Array<[string, string, RegExp]> = [
  ['not JSON', '{', /is not JSON/],
  ['an array', '[]', /not a JSON object/],
  ['no layers', '{"config":{}}', /neither/],
  ['a layer without size', JSON.stringify({ config: { digest: d(1), size: 1 }, layers: [{ digest: d(2) }] }), /layers\[0\]\.size/],
  ['a negative size', JSON.stringify({ config: { digest: d(1), size: -1 }, layers: [] }), /config\.size/],
  ['a digest that is not one', JSON.stringify({ config: { digest: 'x', size: 1 }, layers: [] }), /config\.digest/],
];
for (const [name, text, message] of bad) {
  test(`refuses ${name}`, () =>
    assert.throws(
      () => parseManifestBlob(text, d(9)),
      (e: unknown) => e instanceof ManifestError && message.test(e.message),
    ));
}
