import type { Database } from 'better-sqlite3';
import { PULLTRACE_APPLICATION_ID } from '../applicationId.js';

/**
 * The history schema, as an ordered list of steps. `PRAGMA user_version` records how many have
 * run, so a later release appends a step and migrates existing files; a file with a higher version
 * than this build knows is refused rather than guessed at.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'pulls with filter columns and JSON body; pods of each pull for namespace/pod filters',
    sql: `
      CREATE TABLE pulls (
        id TEXT PRIMARY KEY,
        node_name TEXT NOT NULL,
        image_ref TEXT NOT NULL,
        status TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        completed_at INTEGER NOT NULL,
        error TEXT,
        manifest_digest TEXT,
        total_bytes INTEGER NOT NULL,
        doc TEXT NOT NULL,
        layers TEXT NOT NULL
      );
      -- Pages walk (completed_at desc, id desc); since/until and prune are ranges on completed_at.
      -- The filter columns ride along so substring filters are checked in the index, without
      -- reading the large JSON rows (100k pulls: 300 ms -> 10 ms for a rare node name).
      CREATE INDEX pulls_by_completed_at ON pulls (completed_at, id, node_name, image_ref, status);
      CREATE TABLE pull_pods (
        pull_id TEXT NOT NULL REFERENCES pulls (id) ON DELETE CASCADE,
        namespace TEXT NOT NULL,
        pod_name TEXT NOT NULL
      );
      CREATE INDEX pull_pods_by_pull ON pull_pods (pull_id);
    `,
  },
  {
    version: 2,
    description: 'layers stored compactly (compactLayers.ts); rows written before keep format 1 and still read',
    sql: `
      ALTER TABLE pulls ADD COLUMN layers_format INTEGER NOT NULL DEFAULT 1;
    `,
  },
  {
    version: 3,
    description: 'cluster of each pull (PULLTRACE_CLUSTER); rows written before have none and count as "default"',
    sql: `
      ALTER TABLE pulls ADD COLUMN cluster TEXT;
    `,
  },
  {
    version: 4,
    description: 'failure kind of each failed pull (the `reason` filter), filled from the stored JSON for rows written before',
    // The backfill checks the JSON first (CASE evaluates in order): a row whose JSON does not parse
    // keeps no kind instead of failing the migration. The index serves `reason=` pages newest first
    // without reading the other (mostly completed) rows.
    sql: `
      ALTER TABLE pulls ADD COLUMN failure_reason TEXT;
      UPDATE pulls SET failure_reason = CASE
          WHEN NOT json_valid(doc) THEN NULL
          WHEN json_type(doc, '$.failureReason') = 'text' THEN json_extract(doc, '$.failureReason')
        END
        WHERE status = 'failed';
      CREATE INDEX pulls_by_failure_reason ON pulls (failure_reason, completed_at, id);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Runs every step above `fromVersion`, each in its own transaction together with its version bump. */
export function migrate(db: Database, fromVersion: number): void {
  for (const step of MIGRATIONS) {
    if (step.version <= fromVersion) continue;
    db.transaction(() => {
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
      if (step.version === 1) db.pragma(`application_id = ${PULLTRACE_APPLICATION_ID}`);
    })();
  }
}
