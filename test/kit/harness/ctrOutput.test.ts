import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseContentList, parseImageList } from './ctrOutput.js';

// Real output of containerd 1.6.20 `ctr content ls` / `ctr images ls` after a pull.
const CONTENT_LS =
  'DIGEST\t\t\t\t\t\t\t\t\tSIZE\tAGE\t\tLABELS\n' +
  'sha256:49a1264b50eb0129aba84f2c08b7470f0f3d8cf3a22fe182955d523c25fc4ae2\t324B\t4 seconds\tcontainerd.io/gc.ref.snapshot.overlayfs=sha256:6c1dc91eb80c51d9202de7ee4441cf9e331294ad3eacb1df029043e3d239405f,containerd.io/distribution.source.127.0.0.1=explore/app\n' +
  'sha256:58613b49cd5d7fdfcd9c4060d31d076a8815d09f2f4adfb78aa92d0973ab4a74\t563B\t4 seconds\tcontainerd.io/distribution.source.127.0.0.1=explore/app,containerd.io/gc.ref.content.l.1=sha256:a49b09e7552fc950beb150921d495ca3ec2c09784f0f11267466be86d2cf9bba,containerd.io/gc.ref.content.l.0=sha256:c20aec988f52478d99ea56492457b230007df338544c7aa5e669acbbe73bf1d3,containerd.io/gc.ref.content.config=sha256:49a1264b50eb0129aba84f2c08b7470f0f3d8cf3a22fe182955d523c25fc4ae2\n' +
  'sha256:c20aec988f52478d99ea56492457b230007df338544c7aa5e669acbbe73bf1d3\t3.146MB\tLess than a second\t-\n';

const IMAGES_LS =
  'REF                            TYPE                                       DIGEST                                                                  SIZE    PLATFORMS   LABELS \n' +
  '127.0.0.1:41619/explore/app:v1 application/vnd.oci.image.manifest.v1+json sha256:58613b49cd5d7fdfcd9c4060d31d076a8815d09f2f4adfb78aa92d0973ab4a74 5.0 MiB linux/amd64 -      \n';

test('parseContentList reads digests, sizes and labels (and "-" as no labels)', () => {
  const entries = parseContentList(CONTENT_LS);
  assert.deepEqual(
    entries.map((e) => [e.digest.slice(7, 15), e.size, Object.keys(e.labels).length]),
    [
      ['49a1264b', '324B', 2],
      ['58613b49', '563B', 4],
      ['c20aec98', '3.146MB', 0],
    ],
  );
  const manifest = entries[1]!;
  assert.equal(manifest.labels['containerd.io/distribution.source.127.0.0.1'], 'explore/app');
  assert.equal(
    manifest.labels['containerd.io/gc.ref.content.l.0'],
    'sha256:c20aec988f52478d99ea56492457b230007df338544c7aa5e669acbbe73bf1d3',
  );
});

test('a label value holding commas (several repositories) stays whole', () => {
  const [entry] = parseContentList(
    'DIGEST\tSIZE\tAGE\tLABELS\n' +
      'sha256:aa\t3.146MB\t1 second\tcontainerd.io/distribution.source.127.0.0.1=share/a,share/b,containerd.io/uncompressed=sha256:bb\n',
  );
  assert.deepEqual(entry?.labels, {
    'containerd.io/distribution.source.127.0.0.1': 'share/a,share/b',
    'containerd.io/uncompressed': 'sha256:bb',
  });
});

test('parseImageList reads ref, media type and target digest despite the space in SIZE', () => {
  assert.deepEqual(parseImageList(IMAGES_LS), [
    {
      ref: '127.0.0.1:41619/explore/app:v1',
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:58613b49cd5d7fdfcd9c4060d31d076a8815d09f2f4adfb78aa92d0973ab4a74',
    },
  ]);
});

test('empty tables parse to no entries', () => {
  assert.deepEqual(parseContentList('DIGEST\tSIZE\tAGE\tLABELS\n'), []);
  assert.deepEqual(parseImageList('REF TYPE DIGEST SIZE PLATFORMS LABELS \n'), []);
});
