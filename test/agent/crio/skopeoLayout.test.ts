// What the CRI-O agent reads is what containers/image writes (docs/agent.md, "CRI-O"): a pull by
// skopeo into containers-storage, through a throttle so the pull can be watched, makes one
// temporary folder of numbered files whose sizes are the bytes received, blob-info cache rows
// naming each blob's repository, and, at the end, no folder and the image in images.json.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { buildAndPushImage, imageRef, makeCrioNode, ProcessGroup, startRegistry, startThrottleProxy, waitFor } from '../../kit/index.js';

const MiB = 1 << 20;

function folders(dir: string): string[] {
  return readdirSync(dir);
}

for (const [build, pattern, cacheFile] of [
  ['sid', /^container_images_storage\d+$/, 'blob-info-cache-v1.sqlite'],
  ['bookworm', /^storage\d+$/, 'blob-info-cache-v1.boltdb'],
] as const) {
  test(`skopeo (${build}) pulling into containers-storage writes the folders a CRI-O pull writes`, async (t) => {
    const group = new ProcessGroup();
    t.after(() => group.close());
    const registry = group.track(await startRegistry(), 'registry');
    const proxy = group.track(await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: 2 * MiB }), 'proxy');
    const node = await makeCrioNode();
    t.after(() => node.remove());
    const image = await buildAndPushImage(registry.host, {
      repository: 'crio/layout',
      tag: 'v1',
      layers: [{ size: 2 * MiB }, { size: MiB }],
    });
    const ref = imageRef(proxy.host, image);

    const pull = node.pull(ref, { build });
    t.after(() => pull.stop());
    const folder = await waitFor(() => folders(node.tmpDir).find((n) => pattern.test(n)), {
      timeoutMs: 20_000,
      what: `a ${pattern} folder in the pull's temporary dir`,
    });
    assert.deepEqual(folders(node.tmpDir), [folder], 'one folder per pull');
    // Sizes grow while the body arrives: a file seen below its blob's size, later at it or gone.
    const partial = await waitFor(
      () => {
        try {
          const sizes = readdirSync(join(node.tmpDir, folder)).map((f) => statSync(join(node.tmpDir, folder, f)).size);
          return sizes.some((s) => s > 0 && s < 2 * MiB) ? sizes : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 20_000, what: 'a partly received blob file' },
    );
    assert.ok(partial.length >= 1);
    for (const name of readdirSync(join(node.tmpDir, folder))) assert.match(name, /^\d+$/, 'files are numbered');

    const r = await pull.exited;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(folders(node.tmpDir), [], 'the folder is removed when the pull ends');
    const images = JSON.parse(readFileSync(join(node.storageRoot, 'vfs-images', 'images.json'), 'utf8')) as Array<{
      names?: string[];
      digest: string;
    }>;
    const landed = images.find((i) => i.names?.includes(ref));
    assert.ok(landed, `images.json names ${ref}`);
    assert.equal(landed.digest, image.manifestDigest);
    const layers = JSON.parse(readFileSync(join(node.storageRoot, 'vfs-layers', 'layers.json'), 'utf8')) as Array<{
      'compressed-diff-digest': string;
    }>;
    assert.deepEqual(layers.map((l) => l['compressed-diff-digest']).sort(), image.layers.map((l) => l.digest).sort());
    assert.deepEqual(readdirSync(node.cacheDir), [cacheFile]);
    if (build === 'sid') {
      const db = new Database(join(node.cacheDir, cacheFile), { readonly: true });
      t.after(() => db.close());
      const rows = db.prepare('SELECT scope, digest, location FROM KnownLocations').all() as Array<{
        scope: string;
        digest: string;
        location: string;
      }>;
      for (const l of image.layers) {
        assert.ok(
          rows.some((row) => row.digest === l.digest && row.scope === proxy.host && row.location === `${proxy.host}/crio/layout`),
          `a KnownLocations row for ${l.digest}: ${JSON.stringify(rows)}`,
        );
      }
    }
  });
}
