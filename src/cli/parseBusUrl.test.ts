// Table tests for the `bus` setting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBusUrl } from './parseBusUrl.js';

test('empty means in-process; nats:// and tls:// URLs are kept; anything else is refused with the reason', () => {
  assert.equal(parseBusUrl(''), '');
  assert.equal(parseBusUrl('nats://nats.pulltrace:4222'), 'nats://nats.pulltrace:4222');
  assert.equal(parseBusUrl('tls://nats:4222'), 'tls://nats:4222');
  assert.throws(() => parseBusUrl('http://nats:4222'), /nats:\/\//);
  assert.throws(() => parseBusUrl('nats:4222'), /nats:\/\//);
  assert.throws(() => parseBusUrl('not a url'), /must be empty or a nats:\/\/host:4222 URL/);
});
