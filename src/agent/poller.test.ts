// The poller against a fake containerd replaying what containerd 2.1 showed for two pulls sharing a
// base layer (`ctr images pull` through the transfer service, and CRI): the second pull's manifest
// and config are committed, but its unpacker waits on the first pull's layer with no ingest of its
// own (its later layers neither) until that layer is downloaded and unpacked.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../log/index.js';
import type { BlobInfo, ImageRecord, IngestStatus } from './containerd/types.js';
import { type ContainerdReader, Poller } from './poller.js';
import { NodePulls } from './resolver/nodePulls.js';

const MiB = 1 << 20;
const T0 = Date.parse('2026-12-07T12:00:00.000Z');
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const dg = (name: string) => `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`;

/** A content store answering containerd's filter syntax for the forms the agent sends. */
class FakeContainerd implements ContainerdReader {
  readonly blobs = new Map<string, { info: BlobInfo; data: string }>();
  ingests: IngestStatus[] = [];

  add(digest: string, data: string, createdAtMs: number, labels: Record<string, string> = {}): void {
    this.blobs.set(digest, { info: { digest, size: data.length, createdAtMs, labels }, data });
  }

  /** An image's manifest and config, labelled with its children as containerd does before fetching them. */
  addImage(name: string, layers: Array<[string, number]>, createdAtMs: number): string {
    const config = dg(`${name}-config`);
    this.add(config, '{}', createdAtMs);
    const labels: Record<string, string> = {
      'containerd.io/distribution.source.127.0.0.1': name,
      'containerd.io/gc.ref.content.config': config,
    };
    layers.forEach(([digest], i) => {
      labels[`containerd.io/gc.ref.content.l.${i}`] = digest;
    });
    const doc = JSON.stringify({
      schemaVersion: 2,
      config: { mediaType: CONFIG, digest: config, size: 2 },
      layers: layers.map(([digest, size]) => ({ mediaType: LAYER, digest, size })),
    });
    const manifest = dg(`${name}-manifest`);
    this.add(manifest, doc, createdAtMs, labels);
    return manifest;
  }

  async listIngests(): Promise<IngestStatus[]> {
    return this.ingests;
  }

  async listImages(): Promise<ImageRecord[]> {
    return [];
  }

  async getImage(): Promise<ImageRecord | undefined> {
    return undefined;
  }

  async listContent(filters: string[]): Promise<BlobInfo[]> {
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
    if (!b) throw new Error(`${digest} not found`);
    return Buffer.from(b.data);
  }
}

const ingest = (digest: string, offset: number, total: number): IngestStatus => ({
  ref: `layer-${digest}`,
  offset,
  total,
  startedAtMs: T0,
  updatedAtMs: T0,
});

const silent = () =>
  createLogger(
    'info',
    new Writable({
      write: (_c, _e, cb) => cb(),
    }) as never,
  );

test('a pull waiting, with no ingest, on a layer another pull downloads (containerd 2.x) is shown at the next poll, the layer shared', async () => {
  const containerd = new FakeContainerd();
  const nodePulls = new NodePulls();
  const poller = new Poller(containerd, nodePulls, silent());
  const base = dg('base-layer');
  const alphaTop = dg('alpha-top');
  const betaTop = dg('beta-top');
  const alpha = containerd.addImage(
    'alpha',
    [
      [base, 4 * MiB],
      [alphaTop, 2 * MiB],
    ],
    T0,
  );
  containerd.ingests = [ingest(base, MiB, 4 * MiB), ingest(alphaTop, MiB, 2 * MiB)];
  await poller.pollOnce(T0 + 1000);
  assert.deepEqual(
    nodePulls.report().map((p) => p.manifestDigest),
    [alpha],
  );

  // beta starts while alpha downloads the base layer: only its manifest and config appear.
  const beta = containerd.addImage(
    'beta',
    [
      [base, 4 * MiB],
      [betaTop, 1 * MiB],
    ],
    T0 + 1500,
  );
  containerd.ingests = [ingest(base, 2 * MiB, 4 * MiB), ingest(alphaTop, 2 * MiB, 2 * MiB)];
  await poller.pollOnce(T0 + 2000);

  const report = nodePulls.report();
  const b = report.find((p) => p.manifestDigest === beta);
  assert.ok(b, `beta is reported while alpha downloads the layer it waits for (reported: ${report.map((p) => p.manifestDigest)})`);
  assert.deepEqual(
    b.layers.map((l) => [l.digest, l.state]),
    [
      [dg('beta-config'), 'done'],
      [base, 'shared'],
      [betaTop, 'waiting'],
    ],
  );
  const shared = b.layers.find((l) => l.digest === base)!;
  assert.equal(shared.sharedWith, alpha, 'named after the pull downloading it');
  assert.equal(shared.downloadedBytes, 2 * MiB, "the owner's progress");
  assert.equal(
    b.layers.reduce((s, l) => s + l.totalBytes, 0),
    2 + 5 * MiB,
    'every blob beta needs counts in its total',
  );
  assert.ok(!b.layers.some((l) => l.state === 'cached'), 'nothing is cached: the layer was not on the node when beta started');
});
