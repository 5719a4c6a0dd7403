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

test('any other scheme:// is refused naming the accepted forms, never showing what follows the scheme', () => {
  for (const db of ['postgress://u:s3cret@db/x', 'mysql://root:s3cret@db/pulltrace', 'sqlite://s3cret.db', 'HTTP://s3cret']) {
    assert.throws(
      () => parseHistoryDb(db),
      (err: Error) =>
        !err.message.includes('s3cret') &&
        /is not a history store Pulltrace knows/.test(err.message) &&
        /postgres:\/\/user/.test(err.message),
      db,
    );
  }
  // Paths that merely contain a colon stay paths.
  for (const db of ['./a:b.db', 'C:/data/history.db', '/data/x://y.db']) assert.equal(parseHistoryDb(db), db);
});
