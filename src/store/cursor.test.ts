import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCursor, encodeCursor } from './cursor.js';
import { InvalidCursorError } from './errors.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

for (const cursor of [
  { completedAt: 1_764_237_600_000, id: 'node-1/abc' },
  { completedAt: 0, id: 'x' },
  { completedAt: -62_135_596_800_000, id: 'id with spaces, "quotes" and ünïcode' },
]) {
  test(`cursor round-trips ${JSON.stringify(cursor)}`, () => {
    const text = encodeCursor(cursor);
    assert.match(text, /^[A-Za-z0-9_-]+$/, 'cursor is URL-safe');
    assert.deepEqual(decodeCursor(text), cursor);
  });
}

for (const [why, text] of [
  ['empty', ''],
  ['not base64url', 'abc$def'],
  ['not JSON', b64('not json')],
  ['JSON object instead of array', b64('{"completedAt":1,"id":"a"}')],
  ['wrong arity', b64('[1,"a",3]')],
  ['fractional time', b64('[1.5,"a"]')],
  ['time as string', b64('["1","a"]')],
  ['empty id', b64('[1,""]')],
  ['id not a string', b64('[1,2]')],
  ['too long', 'A'.repeat(5000)],
] as const) {
  test(`decodeCursor rejects a cursor that is ${why}`, () => {
    assert.throws(() => decodeCursor(text), InvalidCursorError);
  });
}
