// Scenarios 2, 3 and 4: which bytes belong to which image when pulls share layers, when a layer is
// already on the node, and when the image is a multi-platform index.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildAndPushImage,
  getPulls,
  idsOf,
  imageRef,
  localPlatform,
  MiB,
  metricValue,
  PullsRecorder,
  startStack,
  waitForPull,
} from '../kit/index.js';

test('two concurrent pulls sharing a base layer: two pulls, right names, the layer shared, its bytes counted once', async (t) => {
  const { containerd, proxy, registry, pulltrace } = await startStack(t);
  const base = { size: 4 * MiB, seed: 'shared-base' };
  const a = await buildAndPushImage(registry.host, { repository: 'e2e/alpha', tag: 'v1', layers: [base, { size: 2 * MiB }] });
  const b = await buildAndPushImage(registry.host, { repository: 'e2e/beta', tag: 'v1', layers: [base, { size: 3 * MiB }] });
  const sharedDigest = a.layers[0]!.digest;
  assert.equal(b.layers[0]!.digest, sharedDigest, 'the harness built one shared blob');
  const unique = a.configSize + b.configSize + a.layers[0]!.size + a.layers[1]!.size + b.layers[1]!.size;

  const seen = new PullsRecorder(pulltrace.baseUrl);
  t.after(() => seen.stop());
  const pullA = containerd.startPull(imageRef(proxy.host, a));
  const pullB = containerd.startPull(imageRef(proxy.host, b));
  const [ra, rb] = await Promise.all([pullA.done, pullB.done]);
  assert.equal(ra.code, 0, ra.stderr);
  assert.equal(rb.code, 0, rb.stderr);
  const isDone = (digest: string) => (p: { manifestDigest?: string; status: string }) =>
    p.manifestDigest === digest && p.status === 'completed';
  await waitForPull(pulltrace.baseUrl, isDone(a.manifestDigest), 'alpha completed');
  await waitForPull(pulltrace.baseUrl, isDone(b.manifestDigest), 'beta completed');
  seen.stop();

  const pulls = (await getPulls(pulltrace.baseUrl)).filter(
    (p) => p.manifestDigest === a.manifestDigest || p.manifestDigest === b.manifestDigest,
  );
  assert.equal(pulls.length, 2, 'two pulls, not one merged row');
  const pa = pulls.find((p) => p.manifestDigest === a.manifestDigest)!;
  const pb = pulls.find((p) => p.manifestDigest === b.manifestDigest)!;
  assert.equal(pa.imageRef, imageRef(proxy.host, a));
  assert.equal(pb.imageRef, imageRef(proxy.host, b));
  assert.equal(idsOf(seen.of(a.manifestDigest)).length, 1);
  assert.equal(idsOf(seen.of(b.manifestDigest)).length, 1);

  // Both show the shared layer; exactly one of them downloads it, the other waits for it (shared).
  const sharedA = pa.layers!.find((l) => l.digest === sharedDigest);
  const sharedB = pb.layers!.find((l) => l.digest === sharedDigest);
  assert.ok(sharedA && sharedB, 'both pulls list the shared layer');
  assert.deepEqual([sharedA.state, sharedB.state].sort(), ['done', 'shared']);
  const [owner, waiter] = sharedA.state === 'done' ? [pa, pb] : [pb, pa];
  assert.equal((waiter === pa ? sharedA : sharedB).sharedWith, owner.id);

  // Each pull's total is all it needed (the shared layer in both), none of it cached; the node's
  // downloaded bytes (layers not shared) count every byte once, during the pulls and at the end.
  assert.equal(pa.totalBytes, a.configSize + a.layerBytes);
  assert.equal(pb.totalBytes, b.configSize + b.layerBytes);
  assert.equal(pa.cachedBytes + pb.cachedBytes, 0);
  const ownBytes = (p: { layers?: Array<{ state: string; downloadedBytes: number }> }) =>
    (p.layers ?? []).filter((l) => l.state !== 'shared').reduce((s, l) => s + l.downloadedBytes, 0);
  assert.equal(ownBytes(pa) + ownBytes(pb), unique);
  for (const snap of seen.snapshots) {
    const both = snap.pulls.filter((p) => p.manifestDigest === a.manifestDigest || p.manifestDigest === b.manifestDigest);
    const sum = both.reduce((s, p) => s + ownBytes(p), 0);
    assert.ok(sum <= unique, `node downloaded ${sum} > ${unique} unique bytes at ${new Date(snap.at).toISOString()}`);
  }
  const metrics = await (await fetch(pulltrace.metricsUrl)).text();
  assert.equal(metricValue(metrics, 'pulltrace_pull_bytes_total'), unique, 'pulltrace_pull_bytes_total counts the shared layer once');
});

test('a layer already on the node is cached: state cached, cachedBytes right, total excludes it', async (t) => {
  const { containerd, proxy, registry, pulltrace } = await startStack(t);
  const base = { size: 3 * MiB, seed: 'cached-base' };
  const first = await buildAndPushImage(registry.host, { repository: 'e2e/first', tag: 'v1', layers: [base] });
  const second = await buildAndPushImage(registry.host, { repository: 'e2e/second', tag: 'v1', layers: [base, { size: 4 * MiB }] });
  const r1 = await containerd.startPull(imageRef(proxy.host, first)).done;
  assert.equal(r1.code, 0, r1.stderr);
  await waitForPull(
    pulltrace.baseUrl,
    (p) => p.manifestDigest === first.manifestDigest && p.status === 'completed',
    'first image completed',
  );

  const r2 = await containerd.startPull(imageRef(proxy.host, second)).done;
  assert.equal(r2.code, 0, r2.stderr);
  const p = await waitForPull(
    pulltrace.baseUrl,
    (x) => x.manifestDigest === second.manifestDigest && x.status === 'completed',
    'second image completed',
  );
  const cachedLayer = p.layers!.find((l) => l.digest === second.layers[0]!.digest)!;
  assert.equal(cachedLayer.state, 'cached');
  assert.equal(p.cachedBytes, second.layers[0]!.size);
  assert.equal(p.totalBytes, second.configSize + second.layers[1]!.size, 'total excludes the cached layer');
  assert.equal(p.downloadedBytes, p.totalBytes);
  assert.equal(p.layers!.find((l) => l.digest === second.layers[1]!.digest)?.state, 'done');
});

test('multi-platform index: the platform manifest actually pulled, reported by the index digest', async (t) => {
  const { containerd, proxy, registry, pulltrace } = await startStack(t);
  const local = localPlatform();
  const other = local.architecture === 'arm64' ? { os: 'linux', architecture: 'amd64' } : { os: 'linux', architecture: 'arm64' };
  const image = await buildAndPushImage(registry.host, {
    repository: 'e2e/multi',
    tag: 'v1',
    layers: [{ size: 3 * MiB }, { size: 2 * MiB }],
    platforms: [local, { ...other, layers: [{ size: 5 * MiB }] }],
  });
  assert.ok(image.indexDigest, 'the harness built an index');
  const r = await containerd.startPull(imageRef(proxy.host, image)).done;
  assert.equal(r.code, 0, r.stderr);
  const p = await waitForPull(
    pulltrace.baseUrl,
    (x) => x.manifestDigest === image.indexDigest && x.status === 'completed',
    'the index pull to complete',
  );
  assert.equal(p.imageRef, imageRef(proxy.host, image));
  assert.deepEqual(
    p.layers!.map((l) => l.digest),
    [image.configDigest, ...image.layers.map((l) => l.digest)],
    "only the local platform's config and layers",
  );
  assert.equal(p.totalBytes, image.configSize + image.layerBytes);
  assert.equal(p.downloadedBytes, p.totalBytes);
  const pulls = await getPulls(pulltrace.baseUrl);
  assert.equal(pulls.length, 1, 'the other platform is not a pull');
});
