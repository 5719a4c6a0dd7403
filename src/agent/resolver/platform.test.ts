import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageIndex } from './manifest.js';
import { namesOnlyWhatNodeManifestNames, nodeEntries, nodePlatform, otherPlatformOf, platformMatches } from './platform.js';

const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const M = 'application/vnd.oci.image.manifest.v1+json';
const index: ImageIndex = {
  kind: 'index',
  manifests: [
    { mediaType: M, digest: d(1), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: M, digest: d(2), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { mediaType: M, digest: d(3), size: 1, platform: { os: 'unknown', architecture: 'unknown' } },
  ],
};
const amd64 = nodePlatform('x64', 'linux');

test("Node's architecture names become OCI's", () => {
  assert.deepEqual(nodePlatform('x64', 'linux'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(nodePlatform('arm64', 'linux'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(nodePlatform('ppc64', 'linux'), { os: 'linux', architecture: 'ppc64le' });
  assert.deepEqual(nodePlatform('s390x', 'linux'), { os: 'linux', architecture: 's390x' });
});

test('a platform matches on os and architecture, whatever the variant; an entry without platform never does', () => {
  assert.ok(platformMatches({ os: 'linux', architecture: 'arm64', variant: 'v8' }, nodePlatform('arm64', 'linux')));
  assert.ok(!platformMatches({ os: 'linux', architecture: 'arm64' }, amd64));
  assert.ok(!platformMatches(undefined, amd64));
  assert.deepEqual(
    nodeEntries(index, amd64).map((m) => m.digest),
    [d(1)],
  );
});

test("another platform's manifest of an index with the node's platform names the node's entries", () => {
  assert.deepEqual(
    otherPlatformOf(index, d(2), amd64)?.map((m) => m.digest),
    [d(1)],
  );
  assert.deepEqual(
    otherPlatformOf(index, d(3), amd64)?.map((m) => m.digest),
    [d(1)],
  );
});

test("the node's own manifest, an index without the node's platform, or a manifest not in the index: undefined", () => {
  assert.equal(otherPlatformOf(index, d(1), amd64), undefined);
  assert.equal(otherPlatformOf(index, d(2), nodePlatform('s390x', 'linux')), undefined);
  assert.equal(otherPlatformOf(index, d(7), amd64), undefined);
});

test('only a layer being fetched that the node manifest does not name proves another platform is pulled', () => {
  const l = (n: number) => `containerd.io/gc.ref.content.l.${n}`;
  const config = 'containerd.io/gc.ref.content.config';
  const arm = { [config]: d(5), [l(0)]: d(6), [l(1)]: d(7) };
  const node = { [config]: d(4), [l(0)]: d(6), [l(1)]: d(8) };
  assert.ok(namesOnlyWhatNodeManifestNames(arm, [node], [d(6)]), 'a layer common to both platforms');
  assert.ok(namesOnlyWhatNodeManifestNames(arm, [node], [d(5)]), "the other platform's config (2.x fetches every config)");
  assert.ok(namesOnlyWhatNodeManifestNames(arm, [node], [d(6), d(8)]), "the node's own layer");
  assert.ok(!namesOnlyWhatNodeManifestNames(arm, [node], [d(7)]), 'a layer only arm64 has: arm64 is pulled');
  assert.ok(!namesOnlyWhatNodeManifestNames(arm, [], [d(6)]), "the node's manifest does not name the common layer (not fetched)");
});
