// Table tests: what of a connection URL is shown in logs and errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskUrlSecrets } from './maskUrlSecrets.js';

test('userinfo and the password, sslpassword and sslkey parameters are masked; the rest stays', () => {
  const cases: Array<[string, string]> = [
    ['postgres://app:s3cret@db:5432/pulltrace', 'postgres://***@db:5432/pulltrace'],
    ['postgres://app@db/pulltrace', 'postgres://***@db/pulltrace'],
    ['postgres://db/pulltrace?password=s3cret', 'postgres://db/pulltrace?password=***'],
    [
      'postgresql://db/p?sslmode=verify-full&sslpassword=k3y&sslkey=/etc/k.pem&application_name=pt',
      'postgresql://db/p?sslmode=verify-full&sslpassword=***&sslkey=***&application_name=pt',
    ],
    ['postgres://db/p?PASSWORD=x&pass%77ord=y', 'postgres://db/p?PASSWORD=***&pass%77ord=***'],
    ['postgres:///pulltrace?host=/run/postgresql&password=pw', 'postgres:///pulltrace?host=/run/postgresql&password=***'],
    ['nats://user:p%40ss@nats:4222', 'nats://***@nats:4222'],
    ['nats://s3cr3t-token@nats:4222', 'nats://***@nats:4222'],
    ['tls://nats.pulltrace:4222', 'tls://nats.pulltrace:4222'],
    ['nats://nats:4222', 'nats://nats:4222'],
  ];
  for (const [url, shown] of cases) assert.equal(maskUrlSecrets(url), shown, url);
});

test('text that is no URL shows as its scheme only, never its secret', () => {
  assert.equal(maskUrlSecrets('postgres://app:s3cret@[bad'), 'postgres://(unparsable)');
  assert.equal(maskUrlSecrets('app:s3cret@[bad'), 'app://(unparsable)');
  assert.equal(maskUrlSecrets('s3cret with spaces'), '(unparsable)');
});
