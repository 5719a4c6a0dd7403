import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenExpiryMs } from './tokenExpiry.js';

const jwt = (payload: unknown) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

for (const [name, token, want] of [
  ['exp in seconds', jwt({ exp: 1700000000, aud: ['pulltrace'] }), 1700000000000],
  ['no exp', jwt({ aud: ['pulltrace'] }), undefined],
  ['exp not a number', jwt({ exp: '1700000000' }), undefined],
  ['not a JWT', 'opaque-shared-secret', undefined],
  ['payload not JSON', 'a.bm90IGpzb24.c', undefined],
] as const) {
  test(`tokenExpiryMs: ${name}`, () => assert.equal(tokenExpiryMs(token), want));
}
