import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeError, quickClosePauseMs, retryDelayMs } from './informer.js';

test('describeError: the Status message of an API error, with hints for 401/403', () => {
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message: 'pods is forbidden: User "x" cannot list resource "pods"',
    code: 403,
  });
  const apiException = {
    code: 403,
    body,
    message: `HTTP-Code: 403\nMessage: Unknown API Status Code!\nBody: ${JSON.stringify(body)}\nHeaders: {}`,
  };
  assert.equal(
    describeError(apiException),
    '403: pods is forbidden: User "x" cannot list resource "pods" (needs get/list/watch on pods and events, see docs/kubernetes.md)',
  );
  assert.equal(
    describeError({ code: 401, body: JSON.stringify(JSON.stringify({ kind: 'Status', message: 'Unauthorized' })) }),
    '401: Unauthorized (the credentials were refused)',
  );
  // a watch HTTP error from the library's Watch
  assert.equal(describeError(Object.assign(new Error('Service Unavailable'), { statusCode: 503 })), '503: Service Unavailable');
  // network errors keep their text (no status code)
  assert.equal(
    describeError(new Error('request to http://127.0.0.1:1/api/v1/pods failed, reason: connect ECONNREFUSED 127.0.0.1:1')),
    'request to http://127.0.0.1:1/api/v1/pods failed, reason: connect ECONNREFUSED 127.0.0.1:1',
  );
  assert.equal(describeError(`x${'y'.repeat(600)}`).length, 501);
});

test('retry delays double from the initial value up to the cap', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n, 1000, 30_000)),
    [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000],
  );
});

test('streams that keep ending at once are re-watched with a growing pause; the first at once', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 10].map((n) => quickClosePauseMs(n, 30_000)),
    [0, 0, 250, 500, 1000, 30_000],
  );
});
