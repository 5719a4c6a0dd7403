// Table tests: refusals keep status, code and headers; only a fixed sentence reaches the caller.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../http/apiError.js';
import { PUBLIC_AUTH_MESSAGES, publicAuthError } from './publicAuthError.js';

test('401, 403 and 503 refusals carry a fixed sentence, never the reason', () => {
  const cases: ApiError[] = [
    new ApiError(401, 'unauthorized', 'the agent token is invalid or expired (TokenReview did not authenticate it)', {
      'www-authenticate': 'Bearer',
    }),
    new ApiError(403, 'forbidden', 'ServiceAccount default:default may not report (allowed: pulltrace:pulltrace-agent)'),
    new ApiError(503, 'unavailable', 'cannot check (TokenReview: connect ECONNREFUSED 10.96.0.1:443)', { 'retry-after': '5' }),
  ];
  for (const err of cases) {
    const shown = publicAuthError(err);
    assert.equal(shown.statusCode, err.statusCode);
    assert.equal(shown.code, err.code);
    assert.deepEqual(shown.headers, err.headers);
    assert.equal(shown.message, PUBLIC_AUTH_MESSAGES[err.code]);
    assert.doesNotMatch(shown.message, /ServiceAccount|10\.96|TokenReview|allowed/);
  }
});

test('other refusals are left as they are', () => {
  const err = new ApiError(429, 'too_many_reports', 'node n reports too often; retry in 1s', { 'retry-after': '1' });
  assert.equal(publicAuthError(err), err);
});
