// Table tests for the `bus` setting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { busUrlHasCredentials, parseBusUrl } from './parseBusUrl.js';

test('empty means in-process; nats:// and tls:// URLs are kept; anything else is refused with the reason', () => {
  assert.equal(parseBusUrl(''), '');
  assert.equal(parseBusUrl('nats://nats.pulltrace:4222'), 'nats://nats.pulltrace:4222');
  assert.equal(parseBusUrl('tls://nats:4222'), 'tls://nats:4222');
  assert.throws(() => parseBusUrl('http://nats:4222'), /nats:\/\//);
  assert.throws(() => parseBusUrl('nats:4222'), /nats:\/\//);
  assert.throws(() => parseBusUrl('not a url'), /must be empty or a nats:\/\/host:4222 URL/);
});

test('credentials in the URL are kept (the connection uses them) and recognised', () => {
  assert.equal(parseBusUrl('nats://app:s3cret@nats:4222'), 'nats://app:s3cret@nats:4222');
  assert.equal(parseBusUrl('nats://t0ken@nats:4222'), 'nats://t0ken@nats:4222');
  assert.equal(busUrlHasCredentials('nats://a:b@nats'), true);
  assert.equal(busUrlHasCredentials('nats://tok@nats'), true);
  assert.equal(busUrlHasCredentials('nats://nats'), false);
  assert.equal(busUrlHasCredentials(''), false);
});

test('a refused URL is never quoted back (it may carry a password)', () => {
  for (const bad of ['http://app:s3cret@nats:4222', 'nats://app:s3cret@', 'app:s3cret@nats']) {
    assert.throws(
      () => parseBusUrl(bad),
      (err: Error) => !err.message.includes('s3cret'),
      bad,
    );
  }
});
