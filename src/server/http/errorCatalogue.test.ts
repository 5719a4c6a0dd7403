// The catalogue's shape: every code an error status, a documented "when", and a message built
// from the facts passed (never empty).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, apiError } from './apiError.js';
import { API_ERROR_CODES, API_ERRORS } from './errorCatalogue.js';

test('every code has a 4xx or 5xx status and says when it is sent, with that status', () => {
  for (const [code, spec] of Object.entries(API_ERRORS)) {
    assert.ok(spec.status >= 400 && spec.status < 600, `${code}: ${spec.status}`);
    assert.ok(spec.when.length > 0, code);
    assert.match(API_ERROR_CODES[code as keyof typeof API_ERRORS], new RegExp(`\\(${spec.status}\\)$`));
  }
});

test('apiError builds the message from the facts and carries the status and fixed headers', () => {
  const err = apiError('too_many_streams', 4);
  assert.ok(err instanceof ApiError);
  assert.equal(err.statusCode, 429);
  assert.equal(err.message, 'at most 4 event streams per client address (PULLTRACE_MAX_SSE_PER_ADDRESS); close one first');
  assert.deepEqual(apiError('unauthorized').headers, { 'www-authenticate': 'Bearer' });
  assert.equal(apiError('method_not_allowed', ['GET', 'HEAD', 'POST']).message, 'use GET or POST');
  assert.deepEqual(apiError('capacity', 'full').retryAfter(7).headers, { 'retry-after': '7' });
});

test('fixed headers are copied, not shared between errors', () => {
  const a = apiError('unauthorized').retryAfter(1);
  assert.deepEqual(apiError('unauthorized').headers, { 'www-authenticate': 'Bearer' });
  assert.equal(a.headers['retry-after'], '1');
});
