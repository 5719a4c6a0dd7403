// One CRI-O node's pulls, polled: reads the node's files (nodeFiles.ts, blobInfoCache.ts), hands
// them to the pure CrioPulls, hashes the files it asks for, and gives the report entries.
import type { Logger } from '../../log/index.js';
import type { ReportPull } from '../../model/index.js';
import type { BlobInfoCache } from './blobInfoCache.js';
import type { BlobLocation } from './blobLocation.js';
import { CrioPulls, type HashRequest, hashKey } from './crioPulls.js';
import { hashBlobFile, StorageReader, scanPullFolders } from './nodeFiles.js';

export interface CrioPaths {
  tmpDir: string;
  storageRoot: string;
  cacheDir: string;
}

export class CrioSource {
  private readonly storage: StorageReader;
  private pulls: CrioPulls | undefined;
  private hashes = new Map<string, string>();
  private cacheTrouble: string | undefined;

  constructor(
    readonly paths: CrioPaths,
    private readonly cache: BlobInfoCache | undefined,
    private readonly logger: Logger,
  ) {
    this.storage = new StorageReader(paths.storageRoot);
  }

  async poll(nowMs: number): Promise<void> {
    const stored = await this.storage.read();
    if (!this.pulls) this.pulls = new CrioPulls(stored);
    const folders = await scanPullFolders(this.paths.tmpDir);
    const result = this.pulls.poll({
      nowMs,
      folders,
      locations: this.readCache(),
      ...(stored.images ? { images: stored.images } : {}),
      ...(stored.layers ? { layers: stored.layers } : {}),
      hashes: this.hashes,
    });
    this.hashes = await this.hash(result.toHash);
  }

  report(): ReportPull[] {
    return this.pulls?.report(this.paths.tmpDir) ?? [];
  }

  delivered(pulls: ReportPull[]): void {
    this.pulls?.delivered(pulls);
  }

  close(): void {
    this.cache?.close();
  }

  private readCache(): BlobLocation[] {
    if (!this.cache) return [];
    try {
      const rows = this.cache.readNew();
      if (this.cacheTrouble) this.logger.info({ file: this.cache.file }, 'the blob-info cache can be read again');
      this.cacheTrouble = undefined;
      return rows;
    } catch (err) {
      // Locked by a writer for longer than the driver waits, or unreadable: the pulls are then
      // named when their image lands. Said once per kind of trouble.
      const reason = (err as Error).message;
      if (this.cacheTrouble !== reason) {
        this.logger.warn({ file: this.cache.file, reason }, 'cannot read the blob-info cache; pulls are named when their image lands');
      }
      this.cacheTrouble = reason;
      this.cache.close();
      return [];
    }
  }

  private async hash(requests: HashRequest[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const h of requests) {
      const digest = await hashBlobFile(this.paths.tmpDir, h);
      if (digest) out.set(hashKey(h), digest);
    }
    return out;
  }
}
