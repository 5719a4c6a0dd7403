// Reads containers/image's blob-info cache (blob-info-cache-v1.sqlite) read-only: the rows of
// `KnownLocations` written since the last read. The older boltdb cache (before containers/image
// 5.29) is not read: pulls are then named when their image lands.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { type BlobLocation, parseCacheTime } from './blobLocation.js';

export const BLOB_INFO_CACHE_FILE = 'blob-info-cache-v1.sqlite';

interface Row {
  digest: string;
  location: string;
  time: string;
}

type OpenDatabase = (file: string) => Database.Database;

export class BlobInfoCache {
  private db: Database.Database | undefined;
  /** the newest `time` text read; the column's text sorts as its time */
  private after: string | undefined;

  constructor(
    private readonly dir: string,
    private readonly open: OpenDatabase,
  ) {}

  get file(): string {
    return join(this.dir, BLOB_INFO_CACHE_FILE);
  }

  /** Rows newer than the last call (none on the first: older rows are other pulls'). */
  readNew(): BlobLocation[] {
    const db = this.connect();
    if (!db) {
      // No cache yet: every row it will get is new.
      this.after ??= '';
      return [];
    }
    const first = this.after === undefined;
    const rows = db
      .prepare("SELECT digest, location, time FROM KnownLocations WHERE transport = 'docker' AND time > ? ORDER BY time")
      .all(this.after ?? '') as Row[];
    if (rows.length > 0) this.after = (rows[rows.length - 1] as Row).time;
    else if (first) this.after = '';
    if (first) return [];
    const out: BlobLocation[] = [];
    for (const r of rows) {
      const timeMs = parseCacheTime(r.time);
      if (timeMs !== undefined) out.push({ digest: r.digest, repository: r.location, timeMs });
    }
    return out;
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }

  private connect(): Database.Database | undefined {
    if (this.db) return this.db;
    // Created by the first pull that uses it.
    if (!existsSync(this.file)) return undefined;
    this.db = this.open(this.file);
    return this.db;
  }
}
