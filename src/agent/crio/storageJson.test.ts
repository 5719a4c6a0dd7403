// The records are those containers/storage wrote for a pull by skopeo 1.22 (containers/image 5.39,
// the library CRI-O pulls with) in test/agent/crio/skopeoLayout.test.ts, shortened.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseImagesJson, parseLayersJson, parseManifestLayers } from './storageJson.js';

const A = 'sha256:e4beed0d9bc4431cf3eb6df8420e8540103d2aecadf04c09fc66a6f747dc8344';
const B = 'sha256:096564807848ca28932821b70ea85590b96be3856c6a50a2f89687dcd333b12d';

test('images.json: id, manifest digest and names', () => {
  const text = JSON.stringify([
    {
      id: '93c98f62d5911af2ee096d1dcf5a1a61b5e29abb45fba42374155621a4be1212',
      digest: 'sha256:9490b4e87371ce4431f2ec02d8dc220afac7297b0751db3019b95f571984e93b',
      names: ['127.0.0.1:35555/exp/app:v1'],
      'names-history': ['127.0.0.1:35555/exp/app:v1'],
      layer: '923edb65e6b226d2e95a84b5e2289f6bf17776d1bd312632686f822b03d92ccd',
      metadata: '{}',
      'big-data-names': ['manifest'],
      created: '1970-01-01T00:00:00Z',
    },
    { id: 'dangling' },
    'not an image',
  ]);
  assert.deepEqual(parseImagesJson(text), [
    {
      id: '93c98f62d5911af2ee096d1dcf5a1a61b5e29abb45fba42374155621a4be1212',
      digest: 'sha256:9490b4e87371ce4431f2ec02d8dc220afac7297b0751db3019b95f571984e93b',
      names: ['127.0.0.1:35555/exp/app:v1'],
    },
    { id: 'dangling', digest: '', names: [] },
  ]);
});

test('an empty images.json (storage just created) is no images', () => {
  assert.deepEqual(parseImagesJson(''), []);
  assert.deepEqual(parseImagesJson('[]'), []);
});

test('layers.json: complete and incomplete layers by compressed digest', () => {
  const text = JSON.stringify([
    { id: '917d', 'compressed-diff-digest': A, 'compressed-size': 3999860, 'diff-digest': 'sha256:917d', compression: 2 },
    { id: '923e', parent: '917d', 'compressed-diff-digest': B, incomplete: true },
    { id: 'local', 'diff-digest': 'sha256:abc' },
  ]);
  const layers = parseLayersJson(text);
  assert.deepEqual([...layers.complete], [A]);
  assert.deepEqual([...layers.incomplete], [B]);
});

test('manifest layers in order with sizes; an index has none', () => {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:93c9', size: 320 },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: A, size: 3999860 },
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: B, size: 1999683 },
    ],
  });
  assert.deepEqual(parseManifestLayers(manifest), [
    { digest: A, size: 3999860, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
    { digest: B, size: 1999683, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
  ]);
  assert.deepEqual(parseManifestLayers(JSON.stringify({ schemaVersion: 2, manifests: [] })), []);
});
