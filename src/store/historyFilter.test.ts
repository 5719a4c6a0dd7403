import assert from 'node:assert/strict';
import { test } from 'node:test';
import { historyWhere, substringPattern } from './historyFilter.js';

for (const [input, want] of [
  ['nginx', '%nginx%'],
  ['50%', '%50\\%%'],
  ['a_b', '%a\\_b%'],
  ['back\\slash', '%back\\\\slash%'],
  ['', '%%'],
] as const) {
  test(`substringPattern(${JSON.stringify(input)}) escapes LIKE wildcards`, () => {
    assert.equal(substringPattern(input), want);
  });
}

test('historyWhere without filter or cursor is empty', () => {
  assert.deepEqual(historyWhere({}), { sql: '', params: [] });
});

test('historyWhere ignores empty filter strings (as ?node= in a URL)', () => {
  assert.deepEqual(historyWhere({ node: '', image: '', namespace: '', pod: '' }), { sql: '', params: [] });
});

test('historyWhere keeps params in the order of their placeholders', () => {
  const where = historyWhere(
    { node: 'n1', image: 'img', status: ['completed', 'failed'], namespace: 'ns', pod: 'web', since: 10, until: 20 },
    { completedAt: 15, id: 'p9' },
  );
  assert.equal((where.sql.match(/\?/g) ?? []).length, where.params.length);
  assert.deepEqual(where.params, ['%n1%', '%img%', 'completed', 'failed', '%ns%', '%web%', 10, 20, 15, 15, 'p9']);
  assert.match(where.sql, /^WHERE /);
});
