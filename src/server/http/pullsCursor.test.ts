import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeCursor } from '../../store/index.js';
import { decodePullsCursor, encodePullsCursor } from './pullsCursor.js';

test('a pulls cursor decodes to the position it was made from', () => {
  const key = { startedAt: 1_764_237_600_000, id: 'a1b2c3' };
  assert.deepEqual(decodePullsCursor(encodePullsCursor(key)), key);
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
for (const [what, text] of [
  ['empty', ''],
  ['not base64url', 'abc$'],
  ['not JSON', Buffer.from('{', 'utf8').toString('base64url')],
  ['a history cursor', encodeCursor({ completedAt: 1, id: 'x' })],
  ['wrong tag', b64(['history', 1, 'x'])],
  ['time not an integer', b64(['pulls', 1.5, 'x'])],
  ['empty id', b64(['pulls', 1, ''])],
  ['too long', 'A'.repeat(2000)],
] as const) {
  test(`a pulls cursor that is ${what} is refused`, () => assert.equal(decodePullsCursor(text), undefined));
}
