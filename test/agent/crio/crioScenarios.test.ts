// CRI-O scenarios (docs/agent.md, "CRI-O nodes"), with skopeo standing in for CRI-O
// (test/kit/harness/crioNode.ts): two pulls sharing a base both download it, a base already in storage
// is cached, a cut link fails the pull naming its folder, a frozen link stalls it, the older
// layout (bookworm's skopeo 1.9.3: storage<random>, no SQLite cache) is followed too, and a blob
// whose body comes after later blobs is first shown under a provisional digest, then corrected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullStatus } from '../../../src/model/index.js';
import {
  buildAndPushImage,
  getPulls,
  imageRef,
  MiB,
  PullsRecorder,
  SseRecorder,
  startHeldBlobProxy,
  waitForPull,
} from '../../kit/index.js';
import { startCrioStack } from './crioStack.js';

const layerRows = (p: PullStatus) => (p.layers ?? []).map((l) => [l.digest, l.downloadedBytes, l.state]);

test('two pulls of different images sharing a base: both download the base in full, and both show it so', async (t) => {
  const { proxy, registry, node, pulltrace } = await startCrioStack(t);
  const base = { size: 3 * MiB, seed: 'crio-shared-base' };
  const one = await buildAndPushImage(registry.host, { repository: 'crio/one', tag: 'v1', layers: [base, { size: MiB }] });
  const two = await buildAndPushImage(registry.host, { repository: 'crio/two', tag: 'v1', layers: [base, { size: MiB }] });
  const baseDigest = one.layers[0]?.digest as string;
  assert.equal(two.layers[0]?.digest, baseDigest);
  const seen = new PullsRecorder(pulltrace.baseUrl);
  t.after(() => seen.stop());

  const first = node.pull(imageRef(proxy.host, one));
  t.after(() => first.stop());
  await waitForPull(pulltrace.baseUrl, (p) => p.imageRef === `${proxy.host}/crio/one`, 'the first pull shown');
  const second = node.pull(imageRef(proxy.host, two));
  t.after(() => second.stop());
  for (const r of [await first.exited, await second.exited]) assert.equal(r.code, 0, r.stderr);
  const done = await Promise.all(
    [one, two].map((image) =>
      waitForPull(
        pulltrace.baseUrl,
        (p) => p.manifestDigest === image.manifestDigest && p.status === 'completed',
        `${image.repository} completed`,
      ),
    ),
  );
  seen.stop();
  for (const [i, p] of done.entries()) {
    const image = [one, two][i] as typeof one;
    assert.deepEqual(
      layerRows(p),
      image.layers.map((l) => [l.digest, l.size, 'done']),
      `${image.repository}: every layer downloaded by this pull`,
    );
  }
  assert.ok(proxy.bytesToClient() >= 2 * base.size + 2 * MiB, `the base crossed the link twice (${proxy.bytesToClient()} bytes)`);
  const states = new Set(seen.snapshots.flatMap((s) => s.pulls.flatMap((p) => (p.layers ?? []).map((l) => l.state))));
  assert.ok(!states.has('shared'), 'no shared state on CRI-O');
  const bothMoving = seen.snapshots.some(
    (s) =>
      s.pulls.filter((p) => p.status === 'pulling' && (p.layers ?? []).some((l) => l.state === 'downloading' && l.downloadedBytes > 0))
        .length === 2,
  );
  assert.ok(bothMoving, 'the two pulls were seen downloading at the same time');
});

test('a base already in storage: the pull downloads only the rest, and its base is cached', async (t) => {
  const { proxy, registry, node, pulltrace } = await startCrioStack(t);
  const base = { size: 2 * MiB, seed: 'crio-cached-base' };
  const first = await buildAndPushImage(registry.host, { repository: 'crio/base', tag: 'v1', layers: [base] });
  // Its own layer takes ~2 s through the throttle: a pull over between two polls (1 s) is never seen.
  const app = await buildAndPushImage(registry.host, { repository: 'crio/app', tag: 'v1', layers: [base, { size: 4 * MiB }] });
  const warm = await node.pull(imageRef(registry.host, first)).exited;
  assert.equal(warm.code, 0, warm.stderr);

  const pull = node.pull(imageRef(proxy.host, app));
  t.after(() => pull.stop());
  assert.equal((await pull.exited).code, 0);
  const done = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.manifestDigest === app.manifestDigest && p.status === 'completed',
    'the pull completed',
  );
  assert.deepEqual(layerRows(done), [
    [app.layers[0]?.digest, 0, 'cached'],
    [app.layers[1]?.digest, app.layers[1]?.size, 'done'],
  ]);
  assert.equal(done.cachedBytes, app.layers[0]?.size);
  assert.ok(proxy.bytesToClient() < app.layerBytes, 'the cached base did not cross the link');
});

test('link cut mid-pull: failed, naming the pull folder, with the bytes it got', async (t) => {
  const { proxy, registry, node, pulltrace } = await startCrioStack(t);
  const image = await buildAndPushImage(registry.host, {
    repository: 'crio/cut',
    tag: 'v1',
    layers: [{ size: 5 * MiB }, { size: 5 * MiB }],
  });
  const pull = node.pull(imageRef(proxy.host, image));
  t.after(() => pull.stop());
  const moving = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.imageRef === `${proxy.host}/crio/cut` && p.downloadedBytes >= 2 * MiB,
    '2 MiB downloaded',
  );
  proxy.cut();
  const r = await pull.exited;
  assert.notEqual(r.code, 0, 'skopeo fails when the link is cut');
  const failed = await waitForPull(pulltrace.baseUrl, (p) => p.id === moving.id && p.status === 'failed', 'the pull shown failed', 20_000);
  assert.match(failed.error ?? '', new RegExp(`${node.tmpDir}/container_images_storage\\d+ was removed without an image in storage`));
  assert.ok(failed.downloadedBytes >= moving.downloadedBytes);
  assert.ok(failed.downloadedBytes < image.layerBytes);
});

test('link frozen mid-pull: stalled after the stall timeout; unfrozen, the same pull completes', async (t) => {
  const { proxy, registry, node, pulltrace } = await startCrioStack(t, { flags: ['--stall-timeout', '2s'] });
  const image = await buildAndPushImage(registry.host, {
    repository: 'crio/frozen',
    tag: 'v1',
    layers: [{ size: 4 * MiB }, { size: 4 * MiB }],
  });
  const sse = await SseRecorder.connect(`${pulltrace.baseUrl}/api/v1/events`);
  t.after(() => sse.close());
  const pull = node.pull(imageRef(proxy.host, image));
  t.after(() => pull.stop());
  const moving = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.imageRef === `${proxy.host}/crio/frozen` && p.downloadedBytes >= 2 * MiB,
    '2 MiB downloaded',
  );
  proxy.freeze();
  await waitForPull(pulltrace.baseUrl, (p) => p.id === moving.id && p.status === 'stalled', 'the pull shown stalled', 20_000);
  proxy.unfreeze();
  const done = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.id === moving.id && p.status === 'completed',
    'the same pull to complete',
    60_000,
  );
  assert.equal((await pull.exited).code, 0);
  assert.equal(done.downloadedBytes, image.layerBytes);
  await sse.waitForEvent((e) => e.type === 'pull.completed' && e.pull?.id === moving.id, 'pull.completed on SSE');
  const types = sse.events.filter((e) => e.pull?.id === moving.id).map((e) => e.type);
  assert.ok(types.indexOf('pull.stalled') > 0 && types.indexOf('pull.completed') > types.indexOf('pull.stalled'), types.join(', '));
});

test('the older layout (skopeo 1.9.3: storage<random> folders, a boltdb cache): followed by its files, named when it lands', async (t) => {
  const { proxy, registry, node, pulltrace } = await startCrioStack(t);
  const image = await buildAndPushImage(registry.host, {
    repository: 'crio/older',
    tag: 'v1',
    layers: [{ size: 3 * MiB }, { size: 2 * MiB }],
  });
  const seen = new PullsRecorder(pulltrace.baseUrl);
  t.after(() => seen.stop());
  const pull = node.pull(imageRef(proxy.host, image), { build: 'bookworm' });
  t.after(() => pull.stop());
  const moving = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.status === 'pulling' && (p.layers ?? []).some((l) => /^storage\d+\/1$/.test(l.digest) && l.downloadedBytes > 0),
    'the pull seen by its storage<random> folder',
  );
  assert.equal((await pull.exited).code, 0);
  const done = await waitForPull(pulltrace.baseUrl, (p) => p.id === moving.id && p.status === 'completed', 'the pull completed');
  assert.equal(done.imageRef, imageRef(proxy.host, image));
  assert.deepEqual(
    layerRows(done),
    image.layers.map((l) => [l.digest, l.size, 'done']),
  );
});

test('a blob whose headers come first and body last: first shown under a provisional digest, then corrected by hashing', async (t) => {
  const { registry, node, pulltrace } = await startCrioStack(t);
  const image = await buildAndPushImage(registry.host, { repository: 'crio/held', tag: 'v1', layers: [{ size: 2 * MiB }, { size: MiB }] });
  const [held, other] = image.layers as [(typeof image.layers)[0], (typeof image.layers)[0]];
  const proxy = await startHeldBlobProxy(registry.port, held.digest);
  t.after(() => proxy.close());
  const pull = node.pull(imageRef(proxy.host, image));
  t.after(() => pull.stop());

  // File 1 holds the other blob, but the held blob's cache row came first: the first guess is wrong, and says so.
  const guessed = await waitForPull(
    pulltrace.baseUrl,
    (p) => (p.layers ?? []).some((l) => l.digest === held.digest && l.downloadedBytes === other.size && l.digestProvisional === true),
    "the other blob's bytes shown under the held blob's digest, provisional",
  );
  const corrected = await waitForPull(
    pulltrace.baseUrl,
    (p) =>
      p.id === guessed.id &&
      (p.layers ?? []).some((l) => l.digest === other.digest && l.state === 'done' && l.digestProvisional === undefined) &&
      (p.layers ?? []).some((l) => l.digest === held.digest && l.downloadedBytes === 0),
    'the hash of the finished file corrects it while the held body still waits',
  );
  assert.ok(corrected);
  proxy.release();
  assert.equal((await pull.exited).code, 0);
  const done = await waitForPull(pulltrace.baseUrl, (p) => p.id === guessed.id && p.status === 'completed', 'the pull completed');
  assert.deepEqual(
    layerRows(done),
    image.layers.map((l) => [l.digest, l.size, 'done']),
  );
  assert.deepEqual(
    (await getPulls(pulltrace.baseUrl)).map((p) => p.id),
    [guessed.id],
    'one pull throughout',
  );
});
