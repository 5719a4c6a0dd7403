// Table tests for the `db` setting: SQLite paths and PostgreSQL URLs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHistoryDb } from './parseHistoryDb.js';

test('paths, :memory: and well-formed postgres URLs are accepted as written', () => {
  for (const db of ['/data/history.db', ':memory:', 'postgres://app:pw@db:5432/pulltrace', 'postgresql://db/pulltrace?sslmode=require']) {
    assert.equal(parseHistoryDb(db), db);
  }
});

test('empty values and postgres URLs without a host are refused, never showing the password', () => {
  assert.throws(() => parseHistoryDb('  '), /must not be empty/);
  assert.throws(() => parseHistoryDb('postgres://'), /postgres:\/\//);
  assert.throws(
    () => parseHistoryDb('postgres://app:s3cret@[bad'),
    (err: Error) => !err.message.includes('s3cret') && /not a valid URL/.test(err.message),
  );
});
