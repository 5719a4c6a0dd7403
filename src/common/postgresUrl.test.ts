// Table tests: which db settings are PostgreSQL URLs, and how they are shown in logs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPostgresUrl, postgresUrlProblem, redactPostgresUrl } from './postgresUrl.js';

test('postgres:// and postgresql:// are PostgreSQL; paths and :memory: are SQLite', () => {
  const cases: Array<[string, boolean]> = [
    ['postgres://u:p@db:5432/pulltrace', true],
    ['postgresql://db/pulltrace', true],
    ['POSTGRES://db/x', true],
    ['/var/lib/pulltrace/history.db', false],
    [':memory:', false],
    ['postgres.db', false],
  ];
  for (const [db, expected] of cases) assert.equal(isPostgresUrl(db), expected, db);
});

test('the password never appears in what is logged', () => {
  assert.equal(redactPostgresUrl('postgres://app:s3cret@db:5432/pulltrace'), 'postgres://***@db:5432/pulltrace');
  assert.equal(
    redactPostgresUrl('postgres://db/pulltrace?password=s3cret&sslpassword=k3y'),
    'postgres://db/pulltrace?password=***&sslpassword=***',
  );
  assert.equal(redactPostgresUrl('postgres://db/pulltrace'), 'postgres://db/pulltrace');
  assert.ok(!redactPostgresUrl('postgres://app:s3cret@[bad').includes('s3cret'));
});

test('a URL without a host is refused with the reason', () => {
  assert.equal(postgresUrlProblem('postgres://app:pw@db:5432/pulltrace'), undefined);
  assert.match(postgresUrlProblem('postgres://') ?? '', /names no host|not a valid URL/);
  assert.ok(!(postgresUrlProblem('postgres://app:s3cret@[bad') ?? '').includes('s3cret'));
});
