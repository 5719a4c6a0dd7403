import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PULLTRACE_APPLICATION_ID } from '../applicationId.js';
import { HistoryDatabaseError } from '../errors.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';

export const IN_MEMORY = ':memory:';

/**
 * Opens or creates the history database and brings its schema up to date. Everything that could
 * reveal a foreign, damaged or too-new file is read before anything is written, so such a file is
 * left exactly as it was.
 */
export function openHistoryDatabase(path: string): Database.Database {
  if (path.trim() === '') throw new HistoryDatabaseError('history database path is empty (use a file path or ":memory:")');
  const inMemory = path === IN_MEMORY;
  if (!inMemory) {
    const dir = dirname(path);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new HistoryDatabaseError(`history database ${path}: cannot create directory ${dir}: ${messageOf(err)}`);
    }
  }

  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw new HistoryDatabaseError(`cannot open history database ${path}: ${messageOf(err)}`);
  }
  try {
    const version = checkExisting(db, path);
    if (!inMemory) db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a crash may lose the last batch, never corrupt the file; far fewer fsyncs.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, version);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof HistoryDatabaseError) throw err;
    throw new HistoryDatabaseError(`cannot open history database ${path}: ${messageOf(err)}`);
  }
}

/** Reads (never writes) the header and schema; returns the file's schema version. */
function checkExisting(db: Database.Database, path: string): number {
  let version: number;
  let applicationId: number;
  let tables: string[];
  try {
    version = db.pragma('user_version', { simple: true }) as number;
    applicationId = db.pragma('application_id', { simple: true }) as number;
    tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  } catch (err) {
    throw new HistoryDatabaseError(
      `history database ${path} is not a readable SQLite database (${messageOf(err)}); ` +
        'the file was left untouched: move it away or choose another --db path',
    );
  }
  const foreign = applicationId !== 0 && applicationId !== PULLTRACE_APPLICATION_ID;
  if (foreign || (applicationId === 0 && tables.length > 0)) {
    throw new HistoryDatabaseError(
      `history database ${path} is a SQLite database of another application (tables: ${tables.join(', ') || 'none'}); ` +
        'the file was left untouched: choose another --db path',
    );
  }
  if (version > SCHEMA_VERSION) {
    throw new HistoryDatabaseError(
      `history database ${path} has schema version ${version}, newer than this pulltrace knows (${SCHEMA_VERSION}); ` +
        'it was written by a newer release: upgrade pulltrace or choose another --db path',
    );
  }
  return version;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
