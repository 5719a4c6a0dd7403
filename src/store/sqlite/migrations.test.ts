import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { PULLTRACE_APPLICATION_ID } from '../applicationId.js';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from './migrations.js';

test('migrations are numbered 1..n in order, so user_version says how many ran', () => {
  assert.deepEqual(
    MIGRATIONS.map((m) => m.version),
    MIGRATIONS.map((_, i) => i + 1),
  );
  assert.equal(SCHEMA_VERSION, MIGRATIONS.length);
});

test('migrate on an empty database reaches the current version and marks the file as ours', () => {
  const db = new Database(':memory:');
  migrate(db, 0);
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal(db.pragma('application_id', { simple: true }), PULLTRACE_APPLICATION_ID);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  assert.deepEqual(tables, ['pull_pods', 'pulls']);
  db.close();
});

test('migrate from the current version changes nothing (no step runs twice)', () => {
  const db = new Database(':memory:');
  migrate(db, 0);
  assert.doesNotThrow(() => migrate(db, SCHEMA_VERSION));
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  db.close();
});
