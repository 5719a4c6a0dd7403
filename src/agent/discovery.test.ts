import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BlobInfo } from './containerd/types.js';
import { type ContentSource, PullDiscovery } from './discovery.js';

const dg = (name: string) => `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`;
const NOW = Date.parse('2026-11-27T12:00:00Z');
const SOURCE = 'containerd.io/distribution.source.127.0.0.1';

/** A content store answering containerd's filter syntax for the two forms the agent sends. */
class FakeContent implements ContentSource {
  readonly blobs = new Map<string, { info: BlobInfo; data: string }>();
  lists = 0;

  add(name: string, data: string, labels: Record<string, string> = {}, createdAtMs = NOW - 1000): string {
    const digest = dg(name);
    this.blobs.set(digest, { info: { digest, size: data.length, createdAtMs, labels }, data });
    return digest;
  }

  async listContent(filters: string[]): Promise<BlobInfo[]> {
    this.lists++;
    assert.ok(filters.length > 0, 'an empty filter list would list everything');
    const match = (info: BlobInfo, f: string) => {
      const label = /^labels\."([^"]+)"=="([^"]+)"$/.exec(f);
      if (label) return info.labels[label[1]!] === label[2];
      const digest = /^digest=="([^"]+)"$/.exec(f);
      if (digest) return info.digest === digest[1];
      throw new Error(`unexpected filter ${f}`);
    };
    return [...this.blobs.values()].filter((b) => filters.some((f) => match(b.info, f))).map((b) => b.info);
  }

  async readBlob(digest: string): Promise<Buffer> {
    const b = this.blobs.get(digest);
    if (!b) throw new Error('not found');
    return Buffer.from(b.data);
  }
}

function manifestJson(config: string, layers: string[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 10 },
    layers: layers.map((d) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d, size: 100 })),
  });
}

function addImage(store: FakeContent, name: string, createdAtMs = NOW - 1000): { manifest: string; config: string; layers: string[] } {
  const config = store.add(`${name}-config`, '{}'.padEnd(10), { [SOURCE]: name }, createdAtMs + 1);
  const layers = [dg(`${name}-l0`), dg(`${name}-l1`)];
  const labels: Record<string, string> = { [SOURCE]: name, 'containerd.io/gc.ref.content.config': config };
  layers.forEach((l, i) => {
    labels[`containerd.io/gc.ref.content.l.${i}`] = l;
  });
  const manifest = store.add(`${name}-manifest`, manifestJson(config, layers), labels, createdAtMs);
  return { manifest, config, layers };
}

test('an ingest digest resolves to the manifest naming it, with presence of its blobs and its repository', async () => {
  const store = new FakeContent();
  const img = addImage(store, 'app');
  const d = new PullDiscovery(store);
  const { found } = await d.discover([img.layers[1]!], NOW, () => false);
  assert.equal(found.length, 1);
  assert.equal(found[0]!.manifest.digest, img.manifest);
  assert.equal(found[0]!.repository, '127.0.0.1/app');
  assert.equal(found[0]!.index, undefined);
  assert.deepEqual(
    found[0]!.doc.layers.map((l) => l.digest),
    img.layers,
  );
  assert.equal(found[0]!.blobs.get(img.config)?.digest, img.config, 'config present');
  assert.equal(found[0]!.blobs.get(img.layers[0]!), null, 'layer not committed yet');
});

test('a manifest already tracked is skipped; a digest nothing names is not asked again for a while', async () => {
  const store = new FakeContent();
  const img = addImage(store, 'app');
  const d = new PullDiscovery(store);
  assert.equal((await d.discover([img.layers[0]!], NOW, (m) => m === img.manifest)).found.length, 0);
  const orphan = dg('orphan');
  const first = await d.discover([orphan], NOW, () => false);
  assert.match(first.notes.join(), /no manifest in the content store names it/);
  const before = store.lists;
  await d.discover([orphan], NOW + 1000, () => false);
  assert.equal(store.lists, before, 'no query within the retry delay');
  await d.discover([orphan], NOW + 20_000, () => false);
  assert.ok(store.lists > before, 'asked again later');
});

test('an unreadable manifest is set aside without hiding the other pulls', async () => {
  const store = new FakeContent();
  const good = addImage(store, 'good');
  const shared = dg('shared-layer');
  store.add('bad-manifest', 'not json', { 'containerd.io/gc.ref.content.l.0': shared });
  const d = new PullDiscovery(store);
  const { found, notes } = await d.discover([good.layers[0]!, shared], NOW, () => false);
  assert.deepEqual(
    found.map((f) => f.manifest.digest),
    [good.manifest],
  );
  assert.match(notes.join('\n'), /manifest .* skipped: blob .* is not JSON/);
});

test('a manifest named by an index is reported with that index', async () => {
  const store = new FakeContent();
  const img = addImage(store, 'multi');
  const index = store.add('multi-index', JSON.stringify({ schemaVersion: 2, manifests: [{ digest: img.manifest, size: 1 }] }), {
    'containerd.io/gc.ref.content.m.0': dg('other-platform'),
    'containerd.io/gc.ref.content.m.1': img.manifest,
  });
  const { found } = await new PullDiscovery(store).discover([img.layers[0]!], NOW, () => false);
  assert.equal(found[0]!.index?.digest, index);
});

/**
 * A two-platform image as containerd 2.x's transfer service leaves it: the index, both platforms'
 * manifests and configs, each manifest labelled with its children; layer 0 is common to both.
 */
function addTwoPlatformImage(store: FakeContent, name: string, createdAtMs = NOW - 1000) {
  const common = dg(`${name}-common`);
  const platforms = { amd64: { os: 'linux', architecture: 'amd64' }, arm64: { os: 'linux', architecture: 'arm64', variant: 'v8' } };
  const m: Record<string, { manifest: string; config: string; own: string }> = {};
  for (const arch of ['arm64', 'amd64'] as const) {
    const config = store.add(`${name}-${arch}-config`, '{}'.padEnd(10), {}, createdAtMs + 1);
    const own = dg(`${name}-${arch}-own`);
    const labels = {
      [SOURCE]: name,
      'containerd.io/gc.ref.content.config': config,
      'containerd.io/gc.ref.content.l.0': common,
      'containerd.io/gc.ref.content.l.1': own,
    };
    // arm64's manifest is committed first: the oldest is not the one being pulled.
    const manifest = store.add(
      `${name}-${arch}-manifest`,
      manifestJson(config, [common, own]),
      labels,
      createdAtMs + (arch === 'arm64' ? 0 : 5),
    );
    m[arch] = { manifest, config, own };
  }
  const index = store.add(
    `${name}-index`,
    JSON.stringify({
      schemaVersion: 2,
      manifests: (['arm64', 'amd64'] as const).map((a) => ({ digest: m[a]!.manifest, size: 1, platform: platforms[a] })),
    }),
    { [SOURCE]: name, 'containerd.io/gc.ref.content.m.0': m.arm64!.manifest, 'containerd.io/gc.ref.content.m.1': m.amd64!.manifest },
    createdAtMs - 1,
  );
  return { index, common, amd64: m.amd64!, arm64: m.arm64! };
}

const AMD64 = { os: 'linux', architecture: 'amd64' };

test("containerd 2.x fetched every platform's manifest: a common layer, or another platform's config, resolves to the node's manifest only", async () => {
  const store = new FakeContent();
  const img = addTwoPlatformImage(store, 'multi2');
  const d = new PullDiscovery(store, AMD64);
  const viaCommon = await d.discover([img.common], NOW, () => false);
  assert.deepEqual(
    viaCommon.found.map((f) => [f.manifest.digest, f.index?.digest]),
    [[img.amd64.manifest, img.index]],
  );
  assert.match(viaCommon.notes.join('\n'), /linux\/arm64 entry, not this node's \(linux\/amd64/);
  // Rediscovery while the node's manifest is tracked: still no pull for arm64.
  assert.deepEqual((await d.discover([img.common], NOW, (x) => x === img.amd64.manifest)).found, []);
  assert.deepEqual((await d.discover([img.arm64.config], NOW, () => false)).found, [], "arm64's config names only arm64's manifest");
  assert.deepEqual(
    (await d.discover([img.amd64.own], NOW, () => false)).found.map((f) => f.manifest.digest),
    [img.amd64.manifest],
  );
});

test('a layer only another platform has proves that platform is pulled (--platform, --all-platforms)', async () => {
  const store = new FakeContent();
  const img = addTwoPlatformImage(store, 'multi3');
  const { found } = await new PullDiscovery(store, AMD64).discover([img.arm64.own], NOW, () => false);
  assert.deepEqual(
    found.map((f) => f.manifest.digest),
    [img.arm64.manifest],
  );
  // An index without the node's platform: nothing to prefer.
  const { found: onS390x } = await new PullDiscovery(store, { os: 'linux', architecture: 's390x' }).discover(
    [img.common],
    NOW,
    () => false,
  );
  assert.equal(onS390x.length, 2);
});

test("discoverFromImage of an index whose every platform manifest is present picks the node's", async () => {
  const store = new FakeContent();
  const img = addTwoPlatformImage(store, 'multi4');
  const rec = { name: 'r/multi4:v1', targetDigest: img.index, targetMediaType: '' };
  const { found } = await new PullDiscovery(store, AMD64).discoverFromImage(rec, NOW, () => false);
  assert.equal(found?.manifest.digest, img.amd64.manifest);
});

test('discoverFromImage: a recent pull nobody saw; not a re-tag, an import, or a tracked pull', async () => {
  const store = new FakeContent();
  const recent = addImage(store, 'quick', NOW - 2000);
  const old = addImage(store, 'old', NOW - 10 * 60_000);
  const imported = store.add('imported-manifest', manifestJson(dg('c'), [dg('l')]), {}, NOW - 1000);
  const d = new PullDiscovery(store);
  const rec = (name: string, target: string) => ({ name, targetDigest: target, targetMediaType: '' });

  const quick = await d.discoverFromImage(rec('r/quick:v1', recent.manifest), NOW, () => false);
  assert.equal(quick.found?.manifest.digest, recent.manifest);
  assert.match(quick.note, /finished between two polls/);
  assert.equal((await d.discoverFromImage(rec('r/quick:v1', recent.manifest), NOW, () => true)).found, undefined);
  const retag = await d.discoverFromImage(rec('r/old:other', old.manifest), NOW, () => false);
  assert.equal(retag.found, undefined);
  assert.match(retag.note, /re-tag/);
  const imp = await d.discoverFromImage(rec('r/imported:v1', imported), NOW, () => false);
  assert.equal(imp.found, undefined);
  assert.match(imp.note, /import/);
});
