// Table tests: the SQLite filter spelled for PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pgHistoryWhere, toPgDialect } from './pgWhere.js';

test('parameters are numbered in order and LIKE becomes ILIKE', () => {
  const where = pgHistoryWhere({ node: 'a', namespace: 'shop', status: ['failed', 'completed'], since: 5 }, { completedAt: 9, id: 'x' });
  assert.equal(where.params.length, 8);
  const numbers = [...where.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
  assert.deepEqual(numbers, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(!where.sql.includes('?'));
  assert.match(where.sql, /p\.node_name ILIKE \$1 ESCAPE '\\'/);
  assert.match(where.sql, /k\.namespace ILIKE \$4/);
});

test('an empty status set matches nothing in a form PostgreSQL accepts', () => {
  assert.match(pgHistoryWhere({ status: [] }).sql, /WHERE 1 = 0/);
});

test('numbering can start after earlier parameters', () => {
  assert.equal(toPgDialect('a = ? AND b = ?', 3), 'a = $3 AND b = $4');
});
