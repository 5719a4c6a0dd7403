import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { buildImageBlobs, buildLayer, checkImageSpec, type ImageSpec, localPlatform, MEDIA_TYPE, sha256 } from './ociImage.js';

const MiB = 1024 * 1024;

for (const size of [4096, 100_000, MiB, 3 * MiB + 17]) {
  test(`a ${size}-byte layer is a gzip'd tar within 1 KiB of the size, with digest and diffId right`, () => {
    const { layer, blob } = buildLayer({ size });
    assert.ok(Math.abs(layer.size - size) <= 1024, `built ${layer.size}`);
    assert.equal(layer.size, blob.length);
    assert.equal(layer.digest, sha256(blob));
    assert.equal(layer.mediaType, MEDIA_TYPE.layer);
    const tar = gunzipSync(blob);
    assert.equal(layer.diffId, sha256(tar));
    assert.equal(tar.subarray(257, 262).toString(), 'ustar');
  });
}

test('same seed and size → same layer digest; no seed → a new layer each time', () => {
  assert.equal(buildLayer({ size: 50_000, seed: 'base' }).layer.digest, buildLayer({ size: 50_000, seed: 'base' }).layer.digest);
  assert.notEqual(buildLayer({ size: 50_000 }).layer.digest, buildLayer({ size: 50_000 }).layer.digest);
});

test('a single-platform image: manifest names config and layers in order, config names diff_ids', () => {
  const image = buildImageBlobs({ repository: 'a/b', tag: 't', layers: [{ size: 5000 }, { size: 7000 }] });
  assert.equal(image.top.mediaType, MEDIA_TYPE.manifest);
  const m = image.manifests[0]!;
  const manifest = JSON.parse(image.blobs.get(m.manifest.digest)!.toString());
  assert.deepEqual(
    manifest.layers.map((l: { digest: string }) => l.digest),
    m.layers.map((l) => l.digest),
  );
  assert.equal(manifest.config.digest, m.config.digest);
  const config = JSON.parse(image.blobs.get(m.config.digest)!.toString());
  assert.deepEqual(config.rootfs.diff_ids, [m.layers[0]!.diffId, m.layers[1]!.diffId]);
  assert.equal(config.architecture, localPlatform().architecture);
  for (const [digest, blob] of image.blobs) assert.equal(sha256(blob), digest);
});

test('two images sharing a seeded base layer have that layer digest in common, and different manifests', () => {
  const a = buildImageBlobs({ repository: 'x/a', tag: '1', layers: [{ size: 9000, seed: 'base' }, { size: 3000 }] });
  const b = buildImageBlobs({ repository: 'x/b', tag: '1', layers: [{ size: 9000, seed: 'base' }, { size: 3000 }] });
  assert.equal(a.manifests[0]!.layers[0]!.digest, b.manifests[0]!.layers[0]!.digest);
  assert.notEqual(a.manifests[0]!.layers[1]!.digest, b.manifests[0]!.layers[1]!.digest);
  assert.notEqual(a.top.digest, b.top.digest);
});

test('a multi-platform image is an index over one manifest per platform', () => {
  const local = localPlatform();
  const other = local.architecture === 'arm64' ? 'amd64' : 'arm64';
  const image = buildImageBlobs({
    repository: 'm/p',
    tag: '1',
    layers: [{ size: 3000 }],
    platforms: [
      { os: 'linux', architecture: local.architecture },
      { os: 'linux', architecture: other },
    ],
  });
  assert.equal(image.top.mediaType, MEDIA_TYPE.index);
  const index = JSON.parse(image.blobs.get(image.top.digest)!.toString());
  assert.deepEqual(
    index.manifests.map((d: { platform: { architecture: string } }) => d.platform.architecture),
    [local.architecture, other],
  );
  assert.notEqual(image.manifests[0]!.layers[0]!.digest, image.manifests[1]!.layers[0]!.digest, 'unseeded layers differ per platform');
});

const bad: Array<[string, ImageSpec, RegExp]> = [
  ['uppercase repository', { repository: 'A/b', tag: 't', layers: [{ size: 1 }] }, /invalid repository "A\/b"/],
  ['bad tag', { repository: 'a', tag: '-t', layers: [{ size: 1 }] }, /invalid tag "-t"/],
  ['no layers', { repository: 'a', tag: 't', layers: [] }, /at least one layer/],
  ['zero size', { repository: 'a', tag: 't', layers: [{ size: 0 }] }, /layer size must be an integer/],
  [
    'no local platform',
    { repository: 'a', tag: 't', layers: [{ size: 1 }], platforms: [{ os: 'windows', architecture: 'amd64' }] },
    /must include the local platform/,
  ],
];
for (const [name, spec, error] of bad) {
  test(`image spec refused: ${name}`, () => assert.throws(() => checkImageSpec(spec), error));
}
