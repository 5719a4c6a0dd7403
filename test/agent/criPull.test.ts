// Pulls the way the kubelet makes them: CRI PullImage, the download running inside containerd.
// Same ingests and labels as ctr; CRI writes three image records (tag, digest, image ID).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAndPushImage, imageRef, MiB, startStack, waitForPull } from '../kit/index.js';

test('CRI pull: tracked with the tag as its name; a cancelled CRI pull is failed', async (t) => {
  const { containerd, proxy, registry, pulltrace } = await startStack(t, { cri: true });
  const image = await buildAndPushImage(registry.host, {
    repository: 'e2e/cri',
    tag: 'v1',
    layers: [{ size: 3 * MiB }, { size: 2 * MiB }],
  });
  const r = await containerd.criPull(imageRef(proxy.host, image)).done;
  assert.ok(r.ok, r.error);
  const p = await waitForPull(
    pulltrace.baseUrl,
    (x) => x.manifestDigest === image.manifestDigest && x.status === 'completed',
    'the CRI pull to complete',
  );
  assert.equal(p.imageRef, imageRef(proxy.host, image), 'the tag record, not the digest or image-ID records');
  assert.equal(p.downloadedBytes, image.configSize + image.layerBytes);
  assert.equal(p.totalBytes, p.downloadedBytes);

  // The kubelet gives up (context cancelled): containerd drops the pull's ingests and manifest.
  const slow = await buildAndPushImage(registry.host, { repository: 'e2e/cri-cancel', tag: 'v1', layers: [{ size: 8 * MiB }] });
  const pull = containerd.criPull(imageRef(proxy.host, slow));
  const moving = await waitForPull(
    pulltrace.baseUrl,
    (x) => x.manifestDigest === slow.manifestDigest && x.downloadedBytes >= MiB,
    '1 MiB of the slow pull',
  );
  pull.cancel();
  assert.equal((await pull.done).ok, false);
  const failed = await waitForPull(
    pulltrace.baseUrl,
    (x) => x.id === moving.id && x.status !== 'pulling' && x.status !== 'stalled',
    'the cancelled pull to end',
  );
  assert.equal(failed.status, 'failed');
});
