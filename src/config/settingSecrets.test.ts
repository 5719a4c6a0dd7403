// Table tests: the secret parts of setting values, and messages shown without them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskSecrets, secretsOf } from './settingSecrets.js';

test('passwords, URL tokens, libpq secret parameters and secret settings are found; user names and hosts are not', () => {
  const secrets = secretsOf(
    [
      'postgres://app:p%40ss@db:5432/pulltrace?sslmode=require&sslpassword=keypass&sslkey=/keys/client.key',
      'postgres://db/x?password=qpass',
      'nats://natstoken@nats:4222',
      'nats://user:natspw@nats:4222',
      '127.0.0.1:8080',
      'info',
    ],
    ['agent-shared-token', 'ab'],
  );
  assert.deepEqual(
    [...secrets].sort(),
    ['/keys/client.key', 'agent-shared-token', 'keypass', 'natspw', 'natstoken', 'p%40ss', 'p@ss', 'qpass'].sort(),
  );
});

test('an unparsable URL still gives its userinfo', () => {
  assert.deepEqual(secretsOf(['postgres://app:s3cret@[bad/x']), ['app:s3cret']);
});

test('messages are shown without any secret, the longest first', () => {
  const secrets = secretsOf(['nats://u:hunter2hunter2@nats'], ['hunter2']);
  assert.equal(maskSecrets('cannot connect as u:hunter2hunter2 (hunter2)', secrets), 'cannot connect as u:*** (***)');
});
