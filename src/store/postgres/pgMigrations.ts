// The history schema in PostgreSQL: the same steps as the SQLite schema (../migrations.ts), in
// PostgreSQL's dialect. `pulltrace_schema.version` records how many have run; replicas starting at
// once take an advisory lock, so each step runs exactly once; a newer version is refused.
import type { PoolClient } from 'pg';
import { PULLTRACE_APPLICATION_ID } from '../applicationId.js';

export interface PgMigration {
  version: number;
  description: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'pulls with filter columns and JSON body; pods of each pull for namespace/pod filters',
    // COLLATE "C": ids and names compare byte-wise, as in SQLite, so pages and cursors agree.
    sql: `
      CREATE TABLE pulls (
        id TEXT COLLATE "C" PRIMARY KEY,
        node_name TEXT COLLATE "C" NOT NULL,
        image_ref TEXT COLLATE "C" NOT NULL,
        status TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        completed_at BIGINT NOT NULL,
        error TEXT,
        manifest_digest TEXT,
        total_bytes BIGINT NOT NULL,
        doc TEXT NOT NULL,
        layers TEXT NOT NULL
      );
      CREATE INDEX pulls_by_completed_at ON pulls (completed_at, id);
      CREATE TABLE pull_pods (
        pull_id TEXT COLLATE "C" NOT NULL REFERENCES pulls (id) ON DELETE CASCADE,
        namespace TEXT COLLATE "C" NOT NULL,
        pod_name TEXT COLLATE "C" NOT NULL
      );
      CREATE INDEX pull_pods_by_pull ON pull_pods (pull_id);
    `,
  },
  {
    version: 2,
    description: 'layers stored compactly (compactLayers.ts); rows written before keep format 1 and still read',
    sql: 'ALTER TABLE pulls ADD COLUMN layers_format INTEGER NOT NULL DEFAULT 1;',
  },
  {
    version: 3,
    description: 'cluster of each pull (PULLTRACE_CLUSTER); rows written before have none and count as "default"',
    sql: 'ALTER TABLE pulls ADD COLUMN cluster TEXT COLLATE "C";',
  },
  {
    version: 4,
    description: 'failure kind of each failed pull (the `reason` filter), filled from the stored JSON for rows written before',
    // The backfill skips a JSON text holding an escaped NUL (\u0000), checked first (CASE evaluates
    // in order): PostgreSQL's JSON functions refuse it, and one such row must not stop the server
    // from starting. That row keeps no kind.
    sql: `
      ALTER TABLE pulls ADD COLUMN failure_reason TEXT;
      UPDATE pulls SET failure_reason = CASE
          WHEN strpos(doc, '\\u0000') > 0 THEN NULL
          WHEN json_typeof(doc::json -> 'failureReason') = 'string' THEN doc::json ->> 'failureReason'
        END
        WHERE status = 'failed';
      CREATE INDEX pulls_by_failure_reason ON pulls (failure_reason, completed_at, id);
    `,
  },
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** A schema this build cannot use; the message says what to do. */
export class PgSchemaError extends Error {
  override name = 'PgSchemaError';
}

/** Brings the schema up to date inside one transaction holding the Pulltrace advisory lock. */
export async function migratePostgres(client: PoolClient, where: string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [PULLTRACE_APPLICATION_ID]);
    const found = await client.query<{ schema: string | null; pulls: string | null }>(
      "SELECT to_regclass('pulltrace_schema')::text AS schema, to_regclass('pulls')::text AS pulls",
    );
    const { schema, pulls } = found.rows[0] ?? { schema: null, pulls: null };
    let version = 0;
    if (schema === null) {
      if (pulls !== null) {
        throw new PgSchemaError(
          `${where} already has a "pulls" table that Pulltrace did not create; nothing was changed: use another database or schema`,
        );
      }
      await client.query('CREATE TABLE pulltrace_schema (version INTEGER NOT NULL)');
      await client.query('INSERT INTO pulltrace_schema (version) VALUES (0)');
    } else {
      const row = await client.query<{ version: number }>('SELECT version FROM pulltrace_schema');
      version = row.rows[0]?.version ?? 0;
    }
    if (version > PG_SCHEMA_VERSION) {
      throw new PgSchemaError(
        `${where} has history schema version ${version}, newer than this pulltrace knows (${PG_SCHEMA_VERSION}); ` +
          'it was written by a newer release: upgrade pulltrace or use another database',
      );
    }
    for (const step of PG_MIGRATIONS) {
      if (step.version <= version) continue;
      await client.query(step.sql);
      await client.query('UPDATE pulltrace_schema SET version = $1', [step.version]);
      version = step.version;
    }
    await client.query('COMMIT');
    return version;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
