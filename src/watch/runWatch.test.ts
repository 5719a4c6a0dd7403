import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFailure } from './runWatch.js';
import { HttpError } from './transport.js';

test("describeFailure: the server's message made printable, URL credentials masked", () => {
  const body = JSON.stringify({ error: 'invalid_request', message: 'bad \x1b]2;owned\x07filter\r\nnext' });
  assert.equal(
    describeFailure(new HttpError(400, '/api/v1/pulls', body), 'http://<redacted>@pt:8080'),
    'http://<redacted>@pt:8080 answered HTTP 400 to /api/v1/pulls: bad \\x1b]2;owned\\x07filter next',
  );
  assert.equal(
    describeFailure(new HttpError(502, '/api/v1/pulls', '<html>\x1b[2Jbad gateway from http://u:secret@proxy/</html>'), 'http://pt'),
    'http://pt answered HTTP 502 to /api/v1/pulls: <html>\\x1b[2Jbad gateway from http://<redacted>@proxy/</html>',
  );
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  assert.equal(
    describeFailure(refused, 'http://alice:hunter2@127.0.0.1:1'),
    'cannot reach http://<redacted>@127.0.0.1:1 (ECONNREFUSED); is the server running? (--server, PULLTRACE_SERVER_URL)',
  );
});
