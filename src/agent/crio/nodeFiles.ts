// The I/O edge of the CRI-O agent: what containers/image and containers/storage have on disk now.
// While pulls run it lists folders and stats files (sizes only, no contents); the storage JSON is
// re-read only when its modification time or size changed, an image's stored manifest once per
// new image, and a blob file is hashed once per size it stopped at.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FolderObservation, HashRequest, LandedImage } from './crioPulls.js';
import { isBlobFileName, pullFolderLayout } from './pullFolder.js';
import { parseImagesJson, parseLayersJson, parseManifestLayers, type StoredLayers } from './storageJson.js';

const isMissing = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/** The pull folders in the temporary dir with their blob files' sizes; a folder that vanished mid-scan is left out. */
export async function scanPullFolders(tmpDir: string): Promise<FolderObservation[]> {
  let names: string[];
  try {
    names = await readdir(tmpDir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
  const out: FolderObservation[] = [];
  for (const name of names) {
    if (!pullFolderLayout(name)) continue;
    const dir = join(tmpDir, name);
    try {
      const files: FolderObservation['files'] = [];
      for (const f of await readdir(dir)) {
        if (!isBlobFileName(f)) continue;
        try {
          files.push({ name: f, size: (await stat(join(dir, f))).size });
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
      }
      out.push({ name, files });
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
  return out;
}

/** sha256 of the first `size` bytes of a blob file (the bytes it had when it stopped growing); undefined when it is gone. */
export async function hashBlobFile(tmpDir: string, h: HashRequest): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    await new Promise<void>((resolve, reject) => {
      const stream = h.size > 0 ? createReadStream(join(tmpDir, h.folder, h.file), { start: 0, end: h.size - 1 }) : undefined;
      if (!stream) return resolve();
      stream.on('data', (chunk) => hash.update(chunk));
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  return `sha256:${hash.digest('hex')}`;
}

interface Seen {
  mtimeMs: number;
  size: number;
}

/**
 * containers/storage's images and layers under one graph root, for every storage driver found
 * (`overlay-images`, `vfs-images`, …). `read()` answers undefined for what did not change.
 */
export class StorageReader {
  private readonly seen = new Map<string, Seen>();
  /** image id → its manifest's layers (read once per image) */
  private readonly manifests = new Map<string, LandedImage['layers']>();

  constructor(private readonly root: string) {}

  async read(): Promise<{ images?: LandedImage[]; layers?: StoredLayers }> {
    const drivers = await this.drivers();
    const imagesFiles = drivers.map((d) => join(this.root, `${d}-images`, 'images.json'));
    const layersFiles = drivers.map((d) => join(this.root, `${d}-layers`, 'layers.json'));
    const out: { images?: LandedImage[]; layers?: StoredLayers } = {};
    if (await this.changed(imagesFiles)) {
      const images: LandedImage[] = [];
      for (const [i, file] of imagesFiles.entries()) {
        const dir = join(this.root, `${drivers[i]}-images`);
        for (const image of parseImagesJson(await readOrEmpty(file))) {
          images.push({ ...image, layers: await this.manifestLayers(dir, image.id) });
        }
      }
      out.images = images;
    }
    if (await this.changed(layersFiles)) {
      const layers: StoredLayers = { complete: new Set(), incomplete: new Set() };
      for (const file of layersFiles) {
        const l = parseLayersJson(await readOrEmpty(file));
        for (const d of l.complete) layers.complete.add(d);
        for (const d of l.incomplete) layers.incomplete.add(d);
      }
      out.layers = layers;
    }
    return out;
  }

  private async drivers(): Promise<string[]> {
    try {
      return (await readdir(this.root)).filter((n) => n.endsWith('-images')).map((n) => n.slice(0, -'-images'.length));
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  /** True when any of the files changed (or appeared, or went) since the last call. */
  private async changed(files: string[]): Promise<boolean> {
    let any = false;
    for (const file of files) {
      let now: Seen = { mtimeMs: -1, size: -1 };
      try {
        const s = await stat(file);
        now = { mtimeMs: s.mtimeMs, size: s.size };
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
      const before = this.seen.get(file);
      if (!before || before.mtimeMs !== now.mtimeMs || before.size !== now.size) any = true;
      this.seen.set(file, now);
    }
    return any || this.seen.size === 0;
  }

  private async manifestLayers(dir: string, id: string): Promise<LandedImage['layers']> {
    const known = this.manifests.get(id);
    if (known) return known;
    let layers: LandedImage['layers'] = [];
    try {
      layers = parseManifestLayers(await readFile(join(dir, id, 'manifest'), 'utf8'));
    } catch {
      // no manifest (yet), or not one this agent reads: the image is matched by name only
    }
    if (layers.length > 0) this.manifests.set(id, layers);
    return layers;
  }
}

async function readOrEmpty(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (isMissing(err)) return '';
    throw err;
  }
}
