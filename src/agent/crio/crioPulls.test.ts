import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BlobLocation } from './blobLocation.js';
import { type CrioObservation, CrioPulls, hashKey, LAND_GRACE_MS, type LandedImage } from './crioPulls.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const A = d('a');
const B = d('b');
const C = d('c');
const REPO = '127.0.0.1:5000/app';
const FOLDER = 'container_images_storage111';
const T0 = Date.parse('2026-01-01T00:00:00Z');

const row = (digest: string, atMs: number, repository = REPO): BlobLocation => ({ digest, repository, timeMs: atMs });
const obs = (nowMs: number, extra: Partial<CrioObservation> = {}): CrioObservation => ({ nowMs, folders: [], locations: [], ...extra });
const folder = (sizes: number[], name = FOLDER) => ({ name, files: sizes.map((size, i) => ({ name: String(i + 1), size })) });
const image = (layers: Array<[string, number]>, name = `${REPO}:v1`): LandedImage => ({
  id: 'img1',
  digest: d('f'),
  names: [name],
  layers: layers.map(([digest, size]) => ({ digest, size, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' })),
});

test('a folder with growing files is one pull: bytes per file, digests from the cache rows, provisional', () => {
  const pulls = new CrioPulls();
  pulls.poll(obs(T0, { folders: [folder([])] }));
  assert.deepEqual(pulls.report('/var/tmp'), [], 'nothing to show before a blob or a row');
  pulls.poll(obs(T0 + 1000, { folders: [folder([100, 50])], locations: [row(A, T0 + 100), row(B, T0 + 200), row(C, T0 + 300)] }));
  const [p] = pulls.report('/var/tmp');
  assert.equal(p?.pullKey, `crio:${FOLDER}`);
  assert.equal(p?.imageRef, REPO);
  assert.equal(p?.status, 'pulling');
  assert.equal(p?.startedAt, new Date(T0).toISOString());
  assert.deepEqual(p?.layers, [
    { digest: A, totalBytes: 100, downloadedBytes: 100, totalKnown: false, state: 'downloading', digestProvisional: true },
    { digest: B, totalBytes: 50, downloadedBytes: 50, totalKnown: false, state: 'downloading', digestProvisional: true },
    { digest: C, totalBytes: 0, downloadedBytes: 0, totalKnown: false, state: 'waiting' },
  ]);
});

test('a file that stopped growing is hashed once; its hash corrects a wrong attribution', () => {
  const pulls = new CrioPulls();
  pulls.poll(obs(T0, { folders: [folder([10])], locations: [row(A, T0 + 1), row(B, T0 + 2)] }));
  // File 1 is B's body (A's headers came first, its body late): it stops at B's size.
  let r = pulls.poll(obs(T0 + 1000, { folders: [folder([40])] }));
  assert.deepEqual(r.toHash, [], 'still growing: not hashed');
  r = pulls.poll(obs(T0 + 2000, { folders: [folder([40, 5])] }));
  assert.deepEqual(r.toHash, [{ folder: FOLDER, file: '1', size: 40 }]);
  r = pulls.poll(obs(T0 + 3000, { folders: [folder([40, 9])], hashes: new Map([[hashKey({ folder: FOLDER, file: '1', size: 40 }), B]]) }));
  assert.deepEqual(r.toHash, [], 'hashed once at that size');
  const [p] = pulls.report('/var/tmp');
  assert.deepEqual(
    p?.layers.map((l) => [l.digest, l.downloadedBytes, l.state, l.digestProvisional]),
    [
      [B, 40, 'done', undefined],
      [A, 9, 'downloading', true],
    ],
  );
});

test('a hash that is none of the rows (a stalled part, or the config) leaves the file provisional', () => {
  const pulls = new CrioPulls();
  pulls.poll(obs(T0, { folders: [folder([10])], locations: [row(A, T0 + 1)] }));
  pulls.poll(obs(T0 + 1000, { folders: [folder([10])] }));
  pulls.poll(obs(T0 + 2000, { folders: [folder([10])], hashes: new Map([[hashKey({ folder: FOLDER, file: '1', size: 10 }), C]]) }));
  const r = pulls.poll(obs(T0 + 3000, { folders: [folder([10])] }));
  assert.deepEqual(r.toHash, [], 'not hashed again at the same size');
  assert.equal(pulls.report('/var/tmp')[0]?.layers[0]?.digestProvisional, true);
});

test('folder gone and its image in storage: completed, with the stored manifest; layers there before are cached', () => {
  const pulls = new CrioPulls({ layers: { complete: new Set([C]), incomplete: new Set() } });
  pulls.poll(obs(T0, { folders: [folder([100])], locations: [row(A, T0 + 1), row(B, T0 + 2)] }));
  pulls.poll(obs(T0 + 1000, { folders: [folder([300, 200])] }));
  pulls.poll(
    obs(T0 + 2000, {
      images: [
        image([
          [C, 700],
          [A, 300],
          [B, 200],
        ]),
      ],
    }),
  );
  const [p] = pulls.report('/var/tmp');
  assert.equal(p?.status, 'completed');
  assert.equal(p?.imageRef, `${REPO}:v1`);
  assert.equal(p?.manifestDigest, d('f'));
  assert.equal(p?.totalKnown, true);
  assert.deepEqual(
    p?.layers.map((l) => [l.digest, l.totalBytes, l.downloadedBytes, l.state]),
    [
      [C, 700, 0, 'cached'],
      [A, 300, 300, 'done'],
      [B, 200, 200, 'done'],
    ],
  );
  pulls.delivered([p as NonNullable<typeof p>]);
  pulls.poll(obs(T0 + 3000));
  assert.deepEqual(pulls.report('/var/tmp'), [], 'sent until delivered, then dropped');
});

test('folder gone with no image: still pulling for the grace time, then failed naming the folder', () => {
  const pulls = new CrioPulls();
  pulls.poll(obs(T0, { folders: [folder([100])], locations: [row(A, T0 + 1)] }));
  pulls.poll(obs(T0 + 1000));
  assert.equal(pulls.report('/var/tmp')[0]?.status, 'pulling');
  pulls.poll(obs(T0 + 1000 + LAND_GRACE_MS));
  const [p] = pulls.report('/var/tmp/');
  assert.equal(p?.status, 'failed');
  assert.match(p?.error ?? '', /\/var\/tmp\/container_images_storage111 was removed without an image in storage/);
  assert.equal(p?.layers[0]?.downloadedBytes, 100, 'the bytes it got are kept');
});

test('an image that was in storage before the pull began is not its landing', () => {
  const old = image([[A, 100]]);
  const pulls = new CrioPulls({ images: [old] });
  pulls.poll(obs(T0, { folders: [folder([50])], locations: [row(A, T0 + 1)] }));
  pulls.poll(obs(T0 + 1000, { images: [old] }));
  assert.equal(pulls.report('/var/tmp')[0]?.status, 'pulling');
});

test('without cache rows (the older boltdb cache) the landed image is found by its blob sizes', () => {
  const pulls = new CrioPulls();
  pulls.poll(obs(T0, { folders: [folder([10], 'storage42')] }));
  pulls.poll(obs(T0 + 1000, { folders: [folder([300, 200], 'storage42')] }));
  let [p] = pulls.report('/var/tmp');
  assert.equal(p?.imageRef, '', 'no name before the image lands');
  assert.deepEqual(
    p?.layers.map((l) => l.digest),
    ['storage42/1', 'storage42/2'],
  );
  pulls.poll(
    obs(T0 + 2000, {
      images: [
        image([
          [A, 300],
          [B, 200],
        ]),
      ],
    }),
  );
  [p] = pulls.report('/var/tmp');
  assert.equal(p?.status, 'completed');
  assert.equal(p?.imageRef, `${REPO}:v1`);
});

test('two pulls of different repositories sharing a base: rows go by repository, and both download the base', () => {
  const other = '127.0.0.1:5000/other';
  const pulls = new CrioPulls();
  pulls.poll(obs(T0, { folders: [folder([], 'container_images_storage1')], locations: [row(A, T0 + 1), row(B, T0 + 2)] }));
  pulls.poll(
    obs(T0 + 1000, {
      folders: [folder([10, 10], 'container_images_storage1'), folder([], 'container_images_storage2')],
      locations: [row(A, T0 + 1001, other), row(C, T0 + 1002, other)],
    }),
  );
  pulls.poll(
    obs(T0 + 2000, {
      folders: [folder([20, 20], 'container_images_storage1'), folder([5, 5], 'container_images_storage2')],
      locations: [],
    }),
  );
  const report = pulls.report('/var/tmp');
  assert.deepEqual(
    report.map((p) => [p.imageRef, p.layers.map((l) => [l.digest, l.downloadedBytes, l.state])]),
    [
      [
        REPO,
        [
          [A, 20, 'downloading'],
          [B, 20, 'downloading'],
        ],
      ],
      [
        other,
        [
          [A, 5, 'downloading'],
          [C, 5, 'downloading'],
        ],
      ],
    ],
  );
});

test('a layer of the pull being committed (layers.json: incomplete) makes it unpacking', () => {
  const pulls = new CrioPulls();
  pulls.poll(obs(T0, { folders: [folder([10])], locations: [row(A, T0 + 1)] }));
  pulls.poll(obs(T0 + 1000, { folders: [folder([10])], layers: { complete: new Set(), incomplete: new Set([A]) } }));
  assert.equal(pulls.report('/var/tmp')[0]?.status, 'unpacking');
  pulls.poll(obs(T0 + 2000, { folders: [folder([10])], layers: { complete: new Set([A]), incomplete: new Set() } }));
  assert.equal(pulls.report('/var/tmp')[0]?.status, 'pulling');
});

test('two pulls sharing a base end with their own images, not the first image that has the base', () => {
  const pulls = new CrioPulls();
  const one = {
    ...image(
      [
        [A, 100],
        [B, 10],
      ],
      '127.0.0.1:5000/one:v1',
    ),
    id: 'one',
  };
  const two = {
    ...image(
      [
        [A, 100],
        [C, 20],
      ],
      '127.0.0.1:5000/two:v1',
    ),
    id: 'two',
    digest: d('e'),
  };
  pulls.poll(
    obs(T0, {
      folders: [folder([100, 10], 'container_images_storage1'), folder([100, 20], 'container_images_storage2')],
      locations: [row(A, T0 + 1, '127.0.0.1:5000/one'), row(B, T0 + 2, '127.0.0.1:5000/one')],
    }),
  );
  pulls.poll(obs(T0 + 500, { folders: [folder([100, 20], 'container_images_storage2')], images: [one] }));
  pulls.poll(obs(T0 + 1000, { images: [one, two] }));
  assert.deepEqual(
    pulls.report('/var/tmp').map((p) => [p.status, p.imageRef]),
    [
      ['completed', '127.0.0.1:5000/one:v1'],
      ['completed', '127.0.0.1:5000/two:v1'],
    ],
  );
});
