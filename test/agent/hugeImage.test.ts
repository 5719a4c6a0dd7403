// One odd image must not blind its node. An image with more layers than a report may carry (the
// AgentReport schema's layer limit) used to make every report of the node a 400; the agent now
// trims the pull to the limit, marks it (`layersOmitted`) and logs it once, and the node's other
// pulls keep being reported. Real containerd, real registry, real `pulltrace standalone`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlobTooLargeError, ContainerdClient } from '../../src/agent/containerd/client.js';
import { REPORT_LIMITS } from '../../src/model/index.js';
import { buildAndPushImage, buildAndPushImageOverHttp, getPulls, imageRef, MiB, startStack, waitForPull } from '../kit/index.js';

test('an image with more layers than a report allows is reported trimmed and marked; the node stays visible', async (t) => {
  const { containerd, proxy, registry, pulltrace } = await startStack(t, { rate: 512 * 1024 });
  const extra = 100;
  const layerCount = REPORT_LIMITS.layersPerPull + extra;
  // A dozen early layers large enough that one is still downloading when the agent polls, even on
  // a loaded machine (discovery names a pull from its early layers), then many tiny ones: building
  // and pushing stays fast.
  const huge = await buildAndPushImageOverHttp(registry.host, {
    repository: 'e2e/huge',
    tag: 'v1',
    layers: Array.from({ length: layerCount }, (_, i) => ({ size: i < 12 ? MiB / 4 : 2048 })),
  });
  assert.equal(huge.layers.length, layerCount);
  // `content fetch` downloads and labels every blob as a pull does, without unpacking: no
  // snapshotter mounts a thousand layers.
  const fetched = containerd.ctr(['content', 'fetch', '--plain-http', imageRef(proxy.host, huge)], { timeoutMs: 180_000 });

  await waitForPull(
    pulltrace.baseUrl,
    (p) => p.manifestDigest === huge.manifestDigest && (p.layersOmitted ?? 0) > 0,
    'the huge pull to be listed, marked as trimmed',
    60_000,
  );
  // The slow link only served discovery: the rest of the fetch may go at full speed.
  proxy.setRate(256 * MiB);
  const r = await fetched;
  assert.equal(r.code, 0, r.stderr);

  const done = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.manifestDigest === huge.manifestDigest && p.status === 'completed',
    'the huge pull to complete',
    60_000,
  );
  // config + layers, of which the report carries at most the limit
  assert.equal(done.layersOmitted, layerCount + 1 - REPORT_LIMITS.layersPerPull);

  // Every report of the node was accepted, and the trim was logged once for this pull.
  const logs = pulltrace.logs();
  assert.equal(logs.filter((l) => l.component === 'agent' && /cannot report to the server/.test(String(l.msg))).length, 0);
  const trims = logs.filter((l) => /over the report limits/.test(String(l.msg)));
  assert.equal(trims.length, 1, JSON.stringify(trims));
  assert.equal(trims[0]?.layersOmitted, layerCount + 1 - REPORT_LIMITS.layersPerPull);

  // The node is not blinded: a normal pull after it is reported as usual.
  const small = await buildAndPushImage(registry.host, { repository: 'e2e/after-huge', tag: 'v1', layers: [{ size: MiB }] });
  const pulled = await containerd.startPull(imageRef(proxy.host, small)).done;
  assert.equal(pulled.code, 0, pulled.stderr);
  const next = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.manifestDigest === small.manifestDigest && p.status === 'completed',
    'the next pull on the node',
  );
  assert.equal(next.layersOmitted, undefined);
  assert.ok((await getPulls(pulltrace.baseUrl)).some((p) => p.manifestDigest === huge.manifestDigest));
});

test("the agent sizes a blob with containerd's Info before reading it", async (t) => {
  const { containerd, proxy, registry } = await startStack(t, { rate: 500 * MiB });
  const image = await buildAndPushImage(registry.host, { repository: 'e2e/bigblob', tag: 'v1', layers: [{ size: 5 * MiB }] });
  const pulled = await containerd.startPull(imageRef(proxy.host, image)).done;
  assert.equal(pulled.code, 0, pulled.stderr);
  const client = new ContainerdClient(containerd.socket, 'k8s.io');
  t.after(() => client.close());
  // Count the Read streams the client opens: an oversized blob must be refused without one.
  let reads = 0;
  const streams = client as unknown as { stream: (c: unknown, method: string, req: object) => Promise<unknown[]> };
  const stream = streams.stream.bind(client);
  streams.stream = (c, method, req) => {
    if (method === 'read') reads++;
    return stream(c, method, req);
  };
  const layer = image.layers[0]!;
  await assert.rejects(client.readBlob(layer.digest, 4 * MiB), (err: Error) => {
    assert.ok(err instanceof BlobTooLargeError);
    assert.match(err.message, new RegExp(`${layer.size} bytes, more than the ${4 * MiB}`));
    return true;
  });
  assert.equal(reads, 0, 'no byte of the oversized blob was read');
  const manifest = await client.readBlob(image.manifestDigest, 4 * MiB);
  assert.equal(manifest.length, image.manifestSize);
  assert.equal(reads, 1);
});
