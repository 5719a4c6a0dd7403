// Tables built from what containerd 1.6 showed here: the manifest is committed (and labelled) before
// its layers start; ingests are `layer-sha256:<hex>` growing in 1 MiB steps; a failed pull loses its
// ingests, manifest and config at once; the image record appears last.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BlobInfo, ImageRecord, IngestStatus } from '../containerd/types.js';
import type { ImageManifest } from './manifest.js';
import { type DiscoveredPull, NodePulls, type PollObservation } from './nodePulls.js';

const MiB = 1 << 20;
const dg = (name: string) => `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`;
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const T0 = Date.parse('2026-11-27T12:00:00.000Z');

function image(name: string, layers: Array<[string, number]>): ImageManifest {
  return {
    kind: 'manifest',
    config: { mediaType: CONFIG, digest: dg(`${name}-config`), size: 300 },
    layers: layers.map(([l, size]) => ({ mediaType: LAYER, digest: dg(l), size })),
  };
}
const blob = (digest: string, size: number, createdAtMs: number): BlobInfo => ({ digest, size, createdAtMs, labels: {} });
const ingest = (digest: string, offset: number, total: number): IngestStatus => ({
  ref: `layer-${digest}`,
  offset,
  total,
  startedAtMs: T0,
  updatedAtMs: T0,
});

function discovered(name: string, doc: ImageManifest, startMs: number, present: BlobInfo[] = [], index?: BlobInfo): DiscoveredPull {
  const blobs = new Map<string, BlobInfo | null>();
  for (const d of [doc.config, ...doc.layers]) blobs.set(d.digest, null);
  for (const b of present) blobs.set(b.digest, b);
  return { manifest: blob(dg(`${name}-manifest`), 700, startMs), doc, index, repository: `127.0.0.1/${name}`, blobs };
}

/** One poll: presence is answered for exactly what the tracker asks, from `store`. */
function poll(
  t: NodePulls,
  nowMs: number,
  store: Map<string, BlobInfo>,
  ingests: IngestStatus[],
  found: DiscoveredPull[] = [],
  images: ImageRecord[] = [],
) {
  const blobs = new Map<string, BlobInfo | null>();
  for (const d of t.digestsToCheck(ingests)) blobs.set(d, store.get(d) ?? null);
  // Like containerd answering a filtered image List: only records of the targets asked for.
  const asked = new Set([...t.imageTargets(ingests), ...found.flatMap((f) => [f.manifest.digest, f.index?.digest])]);
  const obs: PollObservation = { nowMs, ingests, discovered: found, blobs, images: images.filter((i) => asked.has(i.targetDigest)) };
  const decisions = t.apply(obs);
  return { decisions, report: t.report() };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test('one pull: totals known from the first report, states move waiting → downloading → done, then completed by name', () => {
  const doc = image('app', [
    ['app-l0', 3 * MiB],
    ['app-l1', 2 * MiB],
  ]);
  const [l0, l1] = doc.layers.map((l) => l.digest) as [string, string];
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>();
  store.set(dg('app-manifest'), blob(dg('app-manifest'), 700, T0));
  store.set(doc.config.digest, blob(doc.config.digest, 300, T0 + 50));

  assert.deepEqual(t.unknownIngestDigests([ingest(l0, 0, 3 * MiB)]), [l0]);
  let r = poll(t, T0 + 1000, store, [ingest(l0, MiB, 3 * MiB)], [discovered('app', doc, T0, [store.get(doc.config.digest)!])]);
  assert.equal(r.report.length, 1);
  const first = r.report[0]!;
  assert.equal(first.imageRef, '127.0.0.1/app');
  assert.equal(first.manifestDigest, dg('app-manifest'));
  assert.equal(first.startedAt, new Date(T0).toISOString());
  assert.equal(first.status, 'pulling');
  assert.equal(first.totalKnown, true);
  assert.deepEqual(
    first.layers.map((l) => [l.digest, l.mediaType, l.totalBytes, l.downloadedBytes, l.state]),
    [
      [doc.config.digest, CONFIG, 300, 300, 'done'],
      [l0, LAYER, 3 * MiB, MiB, 'downloading'],
      [l1, LAYER, 2 * MiB, 0, 'waiting'],
    ],
  );
  assert.deepEqual(t.unknownIngestDigests([ingest(l0, MiB, 3 * MiB), ingest(l1, 0, 2 * MiB)]), [], 'both layers are attributed');

  store.set(l0, blob(l0, 3 * MiB, T0 + 2000));
  r = poll(t, T0 + 2000, store, [ingest(l1, MiB, 2 * MiB)]);
  assert.deepEqual(
    r.report[0]!.layers.map((l) => [l.downloadedBytes, l.state]),
    [
      [300, 'done'],
      [3 * MiB, 'done'],
      [MiB, 'downloading'],
    ],
  );

  store.set(l1, blob(l1, 2 * MiB, T0 + 3000));
  const record: ImageRecord = { name: '127.0.0.1:5000/app:v1', targetDigest: dg('app-manifest'), targetMediaType: '' };
  r = poll(t, T0 + 3000, store, [], [], [record]);
  const done = r.report[0]!;
  assert.equal(done.status, 'completed');
  assert.equal(done.imageRef, '127.0.0.1:5000/app:v1');
  assert.equal(sum(done.layers.map((l) => l.downloadedBytes)), sum(done.layers.map((l) => l.totalBytes)));

  // Reported until the server acknowledged the final status once, then forgotten.
  assert.equal(poll(t, T0 + 4000, store, []).report.length, 1);
  t.delivered(r.report);
  assert.equal(poll(t, T0 + 5000, store, []).report.length, 0);
});

test('every blob here: unpacking (with the layer being applied) until the image record names the pull', () => {
  const doc = image('unp', [
    ['unp-l0', MiB],
    ['unp-l1', MiB],
  ]);
  const [l0, l1] = doc.layers.map((l) => l.digest) as [string, string];
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([[dg('unp-manifest'), blob(dg('unp-manifest'), 700, T0)]]);
  poll(t, T0 + 1000, store, [ingest(l0, 0, MiB), ingest(l1, 0, MiB)], [discovered('unp', doc, T0)]);
  store.set(doc.config.digest, blob(doc.config.digest, 300, T0 + 10));
  store.set(l0, { ...blob(l0, MiB, T0 + 1500), labels: { 'containerd.io/uncompressed': dg('unp-diff0') } });
  store.set(l1, blob(l1, MiB, T0 + 1500));
  let r = poll(t, T0 + 2000, store, []).report[0]!;
  assert.equal(r.status, 'unpacking');
  assert.equal(r.unpackStartedAt, new Date(T0 + 2000).toISOString());
  assert.equal(r.unpackingLayer, l1, 'l0 is unpacked (labelled), l1 is being applied');
  assert.ok(t.digestsToCheck([]).includes(l1), 'the layer still unpacking is looked at for its label');
  r = poll(t, T0 + 3000, store, []).report[0]!;
  assert.equal(r.status, 'unpacking');
  const record: ImageRecord = { name: '127.0.0.1:5000/unp:v1', targetDigest: dg('unp-manifest'), targetMediaType: '' };
  r = poll(t, T0 + 4000, store, [], [], [record]).report[0]!;
  assert.equal(r.status, 'completed');
  assert.equal(r.unpackStartedAt, new Date(T0 + 2000).toISOString(), 'the completed pull says when unpacking began');
  assert.equal(r.unpackingLayer, undefined);
});

test('without an image record: completed a couple of polls after every layer is unpacked', () => {
  const doc = image('norec', [['norec-l0', MiB]]);
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([[dg('norec-manifest'), blob(dg('norec-manifest'), 700, T0)]]);
  poll(t, T0 + 1000, store, [ingest(doc.layers[0]!.digest, 0, MiB)], [discovered('norec', doc, T0)]);
  store.set(doc.config.digest, blob(doc.config.digest, 300, T0 + 10));
  store.set(doc.layers[0]!.digest, {
    ...blob(doc.layers[0]!.digest, MiB, T0 + 1500),
    labels: { 'containerd.io/uncompressed': 'sha256:d' },
  });
  const statuses = [2000, 3000, 4000].map((dt) => poll(t, T0 + dt, store, []).report[0]!.status);
  assert.deepEqual(statuses, ['unpacking', 'unpacking', 'completed']);
});

test('nothing unpacks (ctr content fetch): completed after the unpack timeout without progress, not before', () => {
  const doc = image('fetch', [['fetch-l0', MiB]]);
  const t = new NodePulls({ unpackTimeoutMs: 60_000 });
  const store = new Map<string, BlobInfo>([[dg('fetch-manifest'), blob(dg('fetch-manifest'), 700, T0)]]);
  poll(t, T0 + 1000, store, [ingest(doc.layers[0]!.digest, 0, MiB)], [discovered('fetch', doc, T0)]);
  store.set(doc.config.digest, blob(doc.config.digest, 300, T0 + 10));
  store.set(doc.layers[0]!.digest, blob(doc.layers[0]!.digest, MiB, T0 + 1500));
  assert.equal(poll(t, T0 + 2000, store, []).report[0]!.status, 'unpacking');
  assert.equal(poll(t, T0 + 61_000, store, []).report[0]!.status, 'unpacking');
  const r = poll(t, T0 + 62_000, store, []);
  assert.equal(r.report[0]!.status, 'completed');
  assert.ok(r.decisions.some((d) => /no unpack progress for 60s/.test(d.decision)));
});

test('a layer already on the node is cached: no downloaded bytes, excluded from what the pull downloads', () => {
  const base = blob(dg('base'), 4 * MiB, T0 - 60_000);
  const doc = image('withbase', [
    ['base', 4 * MiB],
    ['top', MiB],
  ]);
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([
    [base.digest, base],
    [dg('withbase-manifest'), blob(dg('withbase-manifest'), 700, T0)],
  ]);
  const { report, decisions } = poll(t, T0 + 1000, store, [ingest(dg('top'), 0, MiB)], [discovered('withbase', doc, T0, [base])]);
  const layers = report[0]!.layers;
  assert.deepEqual(
    layers.map((l) => [l.state, l.downloadedBytes]),
    [
      ['waiting', 0],
      ['cached', 0],
      ['downloading', 0],
    ],
  );
  assert.ok(decisions.some((d) => d.digest === base.digest && /before the pull started/.test(d.decision)));
});

test('a layer committed by a pull still in progress just before a second pull started is shared there, not cached (containerd 2.x then holds the second pull)', () => {
  const a = image('ac-a', [
    ['ac-base', 4 * MiB],
    ['ac-a-top', 4 * MiB],
  ]);
  const b = image('ac-b', [
    ['ac-base', 4 * MiB],
    ['ac-b-top', MiB],
  ]);
  const base = dg('ac-base');
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([[dg('ac-a-manifest'), blob(dg('ac-a-manifest'), 700, T0)]]);
  poll(t, T0 + 1000, store, [ingest(base, 3 * MiB, 4 * MiB), ingest(dg('ac-a-top'), MiB, 4 * MiB)], [discovered('ac-a', a, T0)]);
  // a commits the base at T0 + 1500; b's manifest comes at T0 + 1800, while a still downloads its top layer.
  const baseInfo = blob(base, 4 * MiB, T0 + 1500);
  store.set(base, baseInfo);
  store.set(dg('ac-b-manifest'), blob(dg('ac-b-manifest'), 700, T0 + 1800));
  const r = poll(
    t,
    T0 + 2000,
    store,
    [ingest(dg('ac-a-top'), 2 * MiB, 4 * MiB), ingest(dg('ac-b-top'), 0, MiB)],
    [discovered('ac-b', b, T0 + 1800, [baseInfo])],
  );
  const pb = r.report.find((p) => p.manifestDigest === dg('ac-b-manifest'))!;
  const shared = pb.layers.find((l) => l.digest === base)!;
  assert.deepEqual([shared.state, shared.downloadedBytes, shared.sharedWith], ['shared', 4 * MiB, dg('ac-a-manifest')]);
  assert.ok(!pb.layers.some((l) => l.state === 'cached'), 'nothing cached: a brought it during the pull b waits on');
  const pa = r.report.find((p) => p.manifestDigest === dg('ac-a-manifest'))!;
  assert.equal(pa.layers.find((l) => l.digest === base)?.state, 'done');

  // Once a has completed, the same layer is on the node before a third pull starts: cached there.
  t.apply({
    nowMs: T0 + 3000,
    ingests: [],
    discovered: [],
    blobs: new Map([
      [dg('ac-a-top'), blob(dg('ac-a-top'), 4 * MiB, T0 + 2500)],
      [dg('ac-b-top'), blob(dg('ac-b-top'), MiB, T0 + 2500)],
    ]),
    images: [
      { name: 'r/ac-a:v1', targetDigest: dg('ac-a-manifest'), targetMediaType: '' },
      { name: 'r/ac-b:v1', targetDigest: dg('ac-b-manifest'), targetMediaType: '' },
    ],
  });
  assert.deepEqual(
    t.report().map((p) => p.status),
    ['completed', 'completed'],
  );
  const c = image('ac-c', [['ac-base', 4 * MiB]]);
  const later = poll(t, T0 + 4000, store, [], [discovered('ac-c', c, T0 + 3500, [baseInfo])]);
  const pc = later.report.find((p) => p.manifestDigest === dg('ac-c-manifest'))!;
  assert.equal(pc.layers.find((l) => l.digest === base)?.state, 'cached');
});

test('link cut: containerd drops ingests, manifest and config together → failed with a reason, never completed', () => {
  const doc = image('cut', [
    ['cut-l0', 3 * MiB],
    ['cut-l1', 3 * MiB],
  ]);
  const [l0, l1] = doc.layers.map((l) => l.digest) as [string, string];
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([
    [dg('cut-manifest'), blob(dg('cut-manifest'), 700, T0)],
    [doc.config.digest, blob(doc.config.digest, 300, T0 + 10)],
  ]);
  poll(
    t,
    T0 + 1000,
    store,
    [ingest(l0, MiB, 3 * MiB), ingest(l1, 2 * MiB, 3 * MiB)],
    [discovered('cut', doc, T0, [store.get(doc.config.digest)!])],
  );
  store.clear();
  const { report } = poll(t, T0 + 2000, store, []);
  assert.equal(report[0]!.status, 'failed');
  assert.match(report[0]!.error ?? '', /removed the pull's manifest/);
  assert.match(report[0]!.error ?? '', /at 2097152 of 3145728 bytes/);
  assert.deepEqual(
    report[0]!.layers.map((l) => l.downloadedBytes),
    [300, MiB, 2 * MiB],
    'what was downloaded is still reported',
  );
  // a new pull of the same image later is a new pull, reported after the failure was delivered
  t.delivered(report);
  store.set(dg('cut-manifest'), blob(dg('cut-manifest'), 700, T0 + 10_000));
  const again = poll(t, T0 + 11_000, store, [ingest(l0, 0, 3 * MiB)], [discovered('cut', doc, T0 + 10_000)]);
  assert.equal(again.report.length, 1);
  assert.equal(again.report[0]!.status, 'pulling');
  assert.equal(again.report[0]!.startedAt, new Date(T0 + 10_000).toISOString());
});

test('an ingest that vanishes without its blob for two polls fails the pull (manifest still there)', () => {
  const doc = image('van', [['van-l0', 3 * MiB]]);
  const l0 = doc.layers[0]!.digest;
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([[dg('van-manifest'), blob(dg('van-manifest'), 700, T0)]]);
  poll(t, T0 + 1000, store, [ingest(l0, MiB, 3 * MiB)], [discovered('van', doc, T0)]);
  assert.equal(poll(t, T0 + 2000, store, []).report[0]!.status, 'pulling', 'one poll could be a commit in flight');
  const r = poll(t, T0 + 3000, store, []);
  assert.equal(r.report[0]!.status, 'failed');
  assert.match(r.report[0]!.error ?? '', /discarded the download/);
});

test('two concurrent pulls sharing a base layer: both show it, its bytes count once on the node', () => {
  const a = image('a', [
    ['shared', 4 * MiB],
    ['a-top', MiB],
  ]);
  const b = image('b', [
    ['shared', 4 * MiB],
    ['b-top', 2 * MiB],
  ]);
  const shared = dg('shared');
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([
    [dg('a-manifest'), blob(dg('a-manifest'), 700, T0)],
    [dg('b-manifest'), blob(dg('b-manifest'), 700, T0 + 200)],
  ]);
  const ingests = [ingest(shared, 2 * MiB, 4 * MiB), ingest(dg('a-top'), MiB, MiB), ingest(dg('b-top'), MiB, 2 * MiB)];
  // discovered in the same poll, listed newest first: ownership still goes to the older pull
  const r = poll(t, T0 + 1000, store, ingests, [discovered('b', b, T0 + 200), discovered('a', a, T0)]);
  assert.deepEqual(
    r.report.map((p) => p.imageRef),
    ['127.0.0.1/a', '127.0.0.1/b'],
  );
  const sharedIn = (i: number) => r.report[i]!.layers.find((l) => l.digest === shared)!;
  assert.deepEqual([sharedIn(0).state, sharedIn(0).downloadedBytes], ['downloading', 2 * MiB]);
  assert.deepEqual(
    [sharedIn(1).state, sharedIn(1).downloadedBytes, sharedIn(1).sharedWith],
    ['shared', 2 * MiB, dg('a-manifest')],
    'b waits for the layer a downloads: its progress, the owner named by its manifest digest',
  );
  const own = (l: { state?: string }) => l.state !== 'cached' && l.state !== 'shared';
  const nodeDownloaded = sum(r.report.flatMap((p) => p.layers.filter(own).map((l) => l.downloadedBytes)));
  assert.equal(nodeDownloaded, 2 * MiB + MiB + MiB, 'shared layer counted once');

  // b's own layer finishes first; b completes only when the shared layer is committed too
  store.set(dg('b-top'), blob(dg('b-top'), 2 * MiB, T0 + 1500));
  store.set(b.config.digest, blob(b.config.digest, 300, T0 + 300));
  store.set(a.config.digest, blob(a.config.digest, 300, T0 + 100));
  store.set(dg('a-top'), blob(dg('a-top'), MiB, T0 + 1500));
  for (const dt of [2000, 3000, 4000]) {
    const mid = poll(t, T0 + dt, store, [ingest(shared, 3 * MiB, 4 * MiB)]).report[1]!;
    assert.equal(mid.status, 'pulling');
    assert.equal(mid.layers.find((l) => l.digest === shared)?.downloadedBytes, 3 * MiB);
  }
  store.set(shared, blob(shared, 4 * MiB, T0 + 4500));
  const recs: ImageRecord[] = [
    { name: '127.0.0.1:5000/a:v1', targetDigest: dg('a-manifest'), targetMediaType: '' },
    { name: '127.0.0.1:5000/b:v1', targetDigest: dg('b-manifest'), targetMediaType: '' },
  ];
  const end = poll(t, T0 + 5000, store, [], [], recs);
  assert.deepEqual(
    end.report.map((p) => [p.imageRef, p.status]),
    [
      ['127.0.0.1:5000/a:v1', 'completed'],
      ['127.0.0.1:5000/b:v1', 'completed'],
    ],
  );
  assert.deepEqual(
    end.report[1]!.layers.map((l) => [l.state, l.downloadedBytes]),
    [
      ['done', 300],
      ['shared', 4 * MiB],
      ['done', 2 * MiB],
    ],
  );
  const final = sum(end.report.flatMap((p) => p.layers.filter(own).map((l) => l.downloadedBytes)));
  assert.equal(final, 300 + 4 * MiB + MiB + 300 + 2 * MiB);
});

test('when the pull downloading a shared layer fails, the other pull takes it over', () => {
  const a = image('fa', [['sh2', 4 * MiB]]);
  const b = image('fb', [
    ['sh2', 4 * MiB],
    ['fb-top', MiB],
  ]);
  const sh = dg('sh2');
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([
    [dg('fa-manifest'), blob(dg('fa-manifest'), 700, T0)],
    [dg('fb-manifest'), blob(dg('fb-manifest'), 700, T0 + 100)],
  ]);
  poll(
    t,
    T0 + 1000,
    store,
    [ingest(sh, MiB, 4 * MiB), ingest(dg('fb-top'), 0, MiB)],
    [discovered('fa', a, T0), discovered('fb', b, T0 + 100)],
  );
  store.delete(dg('fa-manifest'));
  const r1 = poll(t, T0 + 2000, store, [ingest(dg('fb-top'), 0, MiB)]);
  assert.deepEqual(
    r1.report.map((p) => p.status),
    ['failed', 'pulling'],
  );
  const r2 = poll(t, T0 + 3000, store, [ingest(sh, MiB, 4 * MiB), ingest(dg('fb-top'), 0, MiB)]);
  const taken = r2.report.find((p) => p.imageRef === '127.0.0.1/fb')!.layers.find((l) => l.digest === sh)!;
  assert.deepEqual([taken.state, taken.downloadedBytes], ['downloading', MiB]);
});

test('multi-platform index: reported by the index digest, layers of the platform manifest, named by the record on the index', () => {
  const doc = image('multi', [['multi-amd64-l0', MiB]]);
  const index = blob(dg('multi-index'), 900, T0 - 5);
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([[dg('multi-manifest'), blob(dg('multi-manifest'), 700, T0)]]);
  let r = poll(t, T0 + 1000, store, [ingest(dg('multi-amd64-l0'), 0, MiB)], [discovered('multi', doc, T0, [], index)]);
  assert.equal(r.report[0]!.manifestDigest, index.digest);
  assert.equal(r.report[0]!.startedAt, new Date(T0 - 5).toISOString());
  assert.equal(r.report[0]!.layers.length, 2);
  assert.deepEqual(t.imageTargets().sort(), [dg('multi-manifest'), index.digest].sort());
  store.set(doc.config.digest, blob(doc.config.digest, 300, T0 + 1));
  store.set(dg('multi-amd64-l0'), blob(dg('multi-amd64-l0'), MiB, T0 + 1500));
  r = poll(t, T0 + 2000, store, [], [], [{ name: '127.0.0.1:5000/multi:v1', targetDigest: index.digest, targetMediaType: '' }]);
  assert.deepEqual([r.report[0]!.imageRef, r.report[0]!.status], ['127.0.0.1:5000/multi:v1', 'completed']);
});

test('downloaded bytes never decrease, even if an ingest restarts from a lower offset', () => {
  const doc = image('mono', [['mono-l0', 4 * MiB]]);
  const l0 = doc.layers[0]!.digest;
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([[dg('mono-manifest'), blob(dg('mono-manifest'), 700, T0)]]);
  const seen = [2 * MiB, MiB, 3 * MiB].map(
    (offset, i) =>
      poll(t, T0 + 1000 * (i + 1), store, [ingest(l0, offset, 4 * MiB)], i === 0 ? [discovered('mono', doc, T0)] : []).report[0]!.layers[1]!
        .downloadedBytes,
  );
  assert.deepEqual(seen, [2 * MiB, 2 * MiB, 3 * MiB]);
});

test('unknownIngestDigests: only layer and config ingests no pull in progress accounts for', () => {
  const t = new NodePulls();
  const l = dg('x');
  assert.deepEqual(
    t.unknownIngestDigests([
      ingest(l, 0, 1),
      { ...ingest(l, 0, 1), ref: `config-${dg('c')}` },
      { ...ingest(l, 0, 1), ref: `manifest-${dg('m')}` },
      { ...ingest(l, 0, 1), ref: 'some-upload' },
    ]),
    [l, dg('c')],
  );
});

test('after a containerd outage, a pull whose ingests never move again is failed; one that resumes goes on', () => {
  const stuck = image('stuck', [['stuck-l0', 4 * MiB]]);
  const alive = image('alive', [['alive-l0', 4 * MiB]]);
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([
    [dg('stuck-manifest'), blob(dg('stuck-manifest'), 700, T0)],
    [dg('alive-manifest'), blob(dg('alive-manifest'), 700, T0)],
  ]);
  const frozen = { ...ingest(dg('stuck-l0'), MiB, 4 * MiB), updatedAtMs: T0 + 900 };
  const moving = (at: number, offset: number) => ({ ...ingest(dg('alive-l0'), offset, 4 * MiB), updatedAtMs: at });
  poll(t, T0 + 1000, store, [frozen, moving(T0 + 900, MiB)], [discovered('stuck', stuck, T0), discovered('alive', alive, T0)]);
  t.containerdWasDown(T0 + 1500);
  const statuses = [5000, 6000, 7000].map((dt, i) => {
    const r = poll(t, T0 + dt, store, [frozen, moving(T0 + dt - 100, (2 + i) * MiB)]).report;
    return r
      .map((p) => `${p.imageRef}:${p.status}`)
      .sort()
      .join(' ');
  });
  assert.deepEqual(statuses, [
    '127.0.0.1/alive:pulling 127.0.0.1/stuck:pulling',
    '127.0.0.1/alive:pulling 127.0.0.1/stuck:pulling',
    '127.0.0.1/alive:pulling 127.0.0.1/stuck:failed',
  ]);
  assert.match(t.report().find((p) => p.status === 'failed')?.error ?? '', /containerd was unreachable/);
});

test('knowsTarget: pulls in memory and recently completed ones, not failed ones', () => {
  const doc = image('known', [['known-l0', MiB]]);
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([[dg('known-manifest'), blob(dg('known-manifest'), 700, T0)]]);
  poll(t, T0 + 1000, store, [ingest(dg('known-l0'), 0, MiB)], [discovered('known', doc, T0)]);
  assert.equal(t.knowsTarget(dg('known-manifest')), true);
  store.set(doc.config.digest, blob(doc.config.digest, 300, T0 + 1));
  store.set(dg('known-l0'), blob(dg('known-l0'), MiB, T0 + 1500));
  const r = poll(t, T0 + 2000, store, [], [], [{ name: 'r/known:v1', targetDigest: dg('known-manifest'), targetMediaType: '' }]);
  t.delivered(r.report);
  assert.equal(t.report().length, 0, 'dropped after delivery');
  assert.equal(t.knowsTarget(dg('known-manifest')), true, 'still known: its image records are not new pulls');
  assert.equal(t.knowsTarget(dg('other')), false);

  const failing = image('gone', [['gone-l0', MiB]]);
  const store2 = new Map<string, BlobInfo>([[dg('gone-manifest'), blob(dg('gone-manifest'), 700, T0)]]);
  poll(t, T0 + 3000, store2, [ingest(dg('gone-l0'), 0, MiB)], [discovered('gone', failing, T0)]);
  store2.clear();
  poll(t, T0 + 4000, store2, []);
  assert.equal(t.knowsTarget(dg('gone-manifest')), false, 'a failed pull does not hide a successful retry');
});

test('queries stay small while downloads run: no presence check for ingesting blobs, no image lookup', () => {
  const doc = image('quiet', [
    ['quiet-l0', 2 * MiB],
    ['quiet-l1', 2 * MiB],
  ]);
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([[dg('quiet-manifest'), blob(dg('quiet-manifest'), 700, T0)]]);
  const running = [ingest(dg('quiet-l0'), MiB, 2 * MiB)];
  poll(t, T0 + 1000, store, running, [discovered('quiet', doc, T0)]);
  assert.deepEqual(t.digestsToCheck(running).sort(), [dg('quiet-manifest'), doc.config.digest, dg('quiet-l1')].sort());
  assert.deepEqual(t.imageTargets(running), [], 'its record cannot exist while it downloads');
  const all = [
    ...running,
    ingest(dg('quiet-l1'), 0, 2 * MiB),
    { ...ingest(doc.config.digest, 0, 300), ref: `config-${doc.config.digest}` },
  ];
  assert.deepEqual(t.digestsToCheck(all), [], 'everything still ingesting: nothing to ask');
  assert.deepEqual(t.imageTargets([]), [dg('quiet-manifest')]);
});

test('a failure reason stays within the report schema limit', () => {
  const layers: Array<[string, number]> = Array.from({ length: 120 }, (_, i) => [`many-l${i}`, 3 * MiB]);
  const doc = image('many', layers);
  const t = new NodePulls();
  const store = new Map<string, BlobInfo>([[dg('many-manifest'), blob(dg('many-manifest'), 700, T0)]]);
  poll(
    t,
    T0 + 1000,
    store,
    doc.layers.map((l) => ingest(l.digest, MiB, 3 * MiB)),
    [discovered('many', doc, T0)],
  );
  store.clear();
  const r = poll(t, T0 + 2000, store, []).report[0]!;
  assert.equal(r.status, 'failed');
  assert.ok((r.error ?? '').length <= 4096, `error is ${r.error?.length} characters`);
});

test('a manifest first seen without its source label (containerd adds it a moment later): named by digest, then by repository', () => {
  const doc = image('nolabel', [['nolabel-l0', 2 * MiB]]);
  const l0 = doc.layers[0]!.digest;
  const t = new NodePulls();
  const manifest = blob(dg('nolabel-manifest'), 700, T0);
  const config = blob(doc.config.digest, 300, T0 + 10);
  const store = new Map<string, BlobInfo>([
    [manifest.digest, manifest],
    [config.digest, config],
  ]);
  const early = { ...discovered('nolabel', doc, T0, [config]), repository: undefined };
  let r = poll(t, T0 + 1000, store, [ingest(l0, MiB, 2 * MiB)], [early]).report[0]!;
  assert.equal(r.imageRef, dg('nolabel-manifest'), 'no name yet: the digest');
  assert.ok(t.digestsToCheck([ingest(l0, MiB, 2 * MiB)]).includes(manifest.digest), 'the manifest is looked at again');
  store.set(manifest.digest, { ...manifest, labels: { 'containerd.io/distribution.source.127.0.0.1': 'e2e/nolabel' } });
  r = poll(t, T0 + 2000, store, [ingest(l0, 2 * MiB - 1, 2 * MiB)]).report[0]!;
  assert.equal(r.imageRef, '127.0.0.1/e2e/nolabel');
  assert.equal(r.status, 'pulling');
  assert.equal(r.layers.find((l) => l.digest === l0)?.state, 'downloading', 'tracking went on unchanged');
  assert.equal(t.digestsToCheck([ingest(l0, 2 * MiB - 1, 2 * MiB)]).length, 0, 'named: no more looks while it downloads');
});
