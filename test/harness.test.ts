// Smoke test of the end-to-end harness on the real components: containerd 1.6, docker-registry,
// skopeo and the throttling proxy. It also pins the containerd behaviour the agent relies on
// (manifest committed and labelled before layers finish), so a containerd upgrade that changes it fails here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  buildAndPushImage,
  type ContainerdHandle,
  imageRef,
  localPlatform,
  ProcessGroup,
  type RegistryHandle,
  startContainerd,
  startRegistry,
  startThrottleProxy,
  waitFor,
} from './kit/index.js';

const MiB = 1024 * 1024;

describe('end-to-end harness on real containerd, registry and skopeo', () => {
  const group = new ProcessGroup();
  let registry: RegistryHandle;
  let containerd: ContainerdHandle;

  before(async () => {
    registry = group.track(await startRegistry(), 'registry');
    containerd = group.track(await startContainerd(), 'containerd');
  });
  after(() => group.close());

  test('a throttled pull through the proxy completes, is listed, and every layer byte went through the proxy', async (t) => {
    const image = await buildAndPushImage(registry.host, {
      repository: 'smoke/two-layers',
      tag: 'v1',
      layers: [{ size: 3 * MiB }, { size: 2 * MiB }],
    });
    assert.equal(image.layers.length, 2);
    for (const [i, want] of [3 * MiB, 2 * MiB].entries()) {
      assert.ok(Math.abs(image.layers[i]!.size - want) < 1024, `layer ${i} size ${image.layers[i]!.size} ≈ ${want}`);
    }
    const proxy = group.track(await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: 2 * MiB }));
    const ref = imageRef(proxy.host, image);
    const started = performance.now();
    const pull = containerd.startPull(ref);

    // What the agent relies on: the manifest is committed, labelled with its layers and the
    // repository (registry port dropped), while no layer is committed yet. containerd writes the
    // gc.ref labels first and the distribution-source label a moment later: wait for both.
    const sourceLabel = 'containerd.io/distribution.source.127.0.0.1';
    const manifest = await waitFor(
      async () => (await containerd.content()).find((c) => c.digest === image.manifestDigest && c.labels[sourceLabel] !== undefined),
      { timeoutMs: 10_000, what: `manifest ${image.manifestDigest} in the content store with its ${sourceLabel} label` },
    );
    const contentDuringPull = (await containerd.content()).map((c) => c.digest);
    assert.deepEqual(manifest.labels, {
      'containerd.io/gc.ref.content.l.0': image.layers[0]!.digest,
      'containerd.io/gc.ref.content.l.1': image.layers[1]!.digest,
      'containerd.io/gc.ref.content.config': image.configDigest,
      'containerd.io/distribution.source.127.0.0.1': 'smoke/two-layers',
    });
    for (const layer of image.layers) assert.ok(!contentDuringPull.includes(layer.digest), `layer ${layer.digest} not yet committed`);

    const result = await pull.done;
    const seconds = (performance.now() - started) / 1000;
    assert.equal(result.code, 0, `ctr pull failed: ${result.stderr}`);
    t.diagnostic(
      `pulled ${image.layerBytes} layer bytes at 2 MiB/s in ${seconds.toFixed(2)} s (${(image.layerBytes / MiB / seconds).toFixed(2)} MiB/s)`,
    );
    const record = (await containerd.images()).find((i) => i.ref === ref);
    assert.equal(record?.digest, image.manifestDigest, `${ref} listed by ctr images ls with its manifest digest`);
    assert.ok(proxy.bytesToClient() >= image.layerBytes, `proxy forwarded ${proxy.bytesToClient()} ≥ ${image.layerBytes} layer bytes`);
  });

  test('cut() mid-pull makes the pull fail with "connection reset by peer" and no image is created', async () => {
    const image = await buildAndPushImage(registry.host, { repository: 'smoke/cut', tag: 'v1', layers: [{ size: 4 * MiB }] });
    const proxy = group.track(await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: MiB }));
    const ref = imageRef(proxy.host, image);
    const pull = containerd.startPull(ref);
    await waitFor(() => proxy.bytesToClient() > MiB / 2, { timeoutMs: 15_000, what: 'half a MiB of layer data through the proxy' });
    proxy.cut();
    const result = await pull.done;
    assert.notEqual(result.code, 0, 'ctr pull must fail after cut()');
    assert.match(result.stderr, /connection reset by peer/);
    assert.ok(!(await containerd.images()).some((i) => i.ref === ref), `${ref} must not be listed after a failed pull`);
    // containerd drops the failed pull's lease: its ingests, manifest and config go (the agent's failure signal).
    await waitFor(async () => !(await containerd.content()).some((c) => c.digest === image.manifestDigest), {
      timeoutMs: 10_000,
      what: "the failed pull's manifest to be deleted from the content store",
    });
    const active = await containerd.ctr(['content', 'active']);
    assert.ok(!active.stdout.includes(image.layers[0]!.digest), `no ingest left for the layer:\n${active.stdout}`);
  });

  test('a multi-platform image pulls the local platform only', async () => {
    const local = localPlatform();
    const other = local.architecture === 'arm64' ? 'amd64' : 'arm64';
    const image = await buildAndPushImage(registry.host, {
      repository: 'smoke/multi',
      tag: 'v1',
      layers: [{ size: MiB }],
      platforms: [
        { os: 'linux', architecture: other },
        { os: 'linux', architecture: local.architecture },
      ],
    });
    assert.ok(image.indexDigest, 'index digest set');
    assert.equal(image.platforms?.length, 2);
    const foreign = image.platforms!.find((p) => p.architecture === other)!;
    assert.notEqual(foreign.manifestDigest, image.manifestDigest);

    const proxy = group.track(await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: 4 * MiB }));
    const ref = imageRef(proxy.host, image);
    const result = await containerd.startPull(ref).done;
    assert.equal(result.code, 0, `ctr pull failed: ${result.stderr}`);
    const record = (await containerd.images()).find((i) => i.ref === ref);
    assert.equal(record?.digest, image.indexDigest, 'the image record targets the index');
    assert.equal(record?.mediaType, 'application/vnd.oci.image.index.v1+json');
    const content = await containerd.content();
    const index = content.find((c) => c.digest === image.indexDigest);
    assert.equal(
      index?.labels['containerd.io/gc.ref.content.m.0'],
      image.platforms![0]!.manifestDigest,
      'index labels name every platform',
    );
    assert.equal(index?.labels['containerd.io/gc.ref.content.m.1'], image.platforms![1]!.manifestDigest);
    assert.ok(
      content.some((c) => c.digest === image.manifestDigest),
      'local platform manifest fetched',
    );
    assert.ok(!content.some((c) => c.digest === foreign.manifestDigest), 'other platform manifest never fetched');
  });

  test('restart() brings containerd back on the same socket with its content, also after a kill()', async () => {
    const before = (await containerd.ctr(['images', 'ls', '-q'])).stdout;
    const oldPid = containerd.pid;
    await containerd.restart();
    assert.notEqual(containerd.pid, oldPid);
    const afterRestart = await containerd.ctr(['images', 'ls', '-q']);
    assert.equal(afterRestart.code, 0, afterRestart.stderr);
    assert.equal(afterRestart.stdout, before);

    await containerd.kill();
    assert.equal(containerd.running, false);
    assert.notEqual((await containerd.ctr(['version'], { timeoutMs: 5000 })).code, 0, 'nothing answers while containerd is down');
    await containerd.restart();
    assert.equal(containerd.running, true);
    assert.equal((await containerd.ctr(['images', 'ls', '-q'])).stdout, before);
  });
});

describe('end-to-end harness: pulls through the CRI plugin, as kubelet makes them', () => {
  const group = new ProcessGroup();
  let registry: RegistryHandle;
  let containerd: ContainerdHandle;

  before(async () => {
    registry = group.track(await startRegistry(), 'registry');
    containerd = group.track(await startContainerd({ cri: true }), 'containerd with CRI');
  });
  after(() => group.close());

  test('criPull through the throttled proxy creates the tag, digest and ID image records', async () => {
    const image = await buildAndPushImage(registry.host, { repository: 'smoke/cri', tag: 'v1', layers: [{ size: 2 * MiB }] });
    const proxy = group.track(await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: 4 * MiB }));
    const ref = imageRef(proxy.host, image);
    const result = await containerd.criPull(ref).done;
    assert.deepEqual(result, { ok: true, imageRef: image.configDigest });
    const refs = (await containerd.images()).map((i) => i.ref).sort();
    assert.deepEqual(refs, [`${proxy.host}/smoke/cri@${image.manifestDigest}`, ref, image.configDigest].sort());
    assert.ok(proxy.bytesToClient() >= image.layerBytes);
  });

  test('a cancelled CRI pull (kubelet giving up) leaves no ingest, manifest or image behind', async () => {
    const image = await buildAndPushImage(registry.host, { repository: 'smoke/cri-cancel', tag: 'v1', layers: [{ size: 4 * MiB }] });
    const proxy = group.track(await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: MiB }));
    const pull = containerd.criPull(imageRef(proxy.host, image));
    await waitFor(() => proxy.bytesToClient() > MiB / 2, { timeoutMs: 15_000, what: 'half a MiB of layer data through the proxy' });
    pull.cancel();
    const result = await pull.done;
    assert.equal(result.ok, false);
    await waitFor(async () => !(await containerd.content()).some((c) => c.digest === image.manifestDigest), {
      timeoutMs: 10_000,
      what: "the cancelled pull's manifest to be deleted",
    });
    assert.ok(!(await containerd.images()).some((i) => i.ref.includes('smoke/cri-cancel')));
  });
});
