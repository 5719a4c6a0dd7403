// Table tests: the NATS client options made from PULLTRACE_BUS and the PULLTRACE_BUS_*_FILE settings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credsFileProblem, natsConnectOptions, readBusFiles } from './natsConnectOptions.js';

const CREDS = `-----BEGIN NATS USER JWT-----
eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJzdWIiOiJVQSJ9.c2ln
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.

-----BEGIN USER NKEY SEED-----
SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4
------END USER NKEY SEED------
`;

test('userinfo becomes a user and password, or a token; the URL handed to the client carries neither', () => {
  assert.deepEqual(natsConnectOptions('nats://nats:4222', {}), { servers: 'nats://nats:4222' });
  assert.deepEqual(natsConnectOptions('nats://app:s%40cret@nats:4222', {}), { servers: 'nats://nats:4222', user: 'app', pass: 's@cret' });
  assert.deepEqual(natsConnectOptions('nats://t0ken@nats:4222', {}), { servers: 'nats://nats:4222', token: 't0ken' });
  assert.deepEqual(natsConnectOptions('nats://nats', {}), { servers: 'nats://nats' });
});

test('tls:// or any TLS file requires TLS, with the CA, certificate and key given', () => {
  assert.deepEqual(natsConnectOptions('tls://nats:4222', {}), { servers: 'tls://nats:4222', tls: {} });
  assert.deepEqual(natsConnectOptions('tls://nats:4222', { ca: 'CA' }), { servers: 'tls://nats:4222', tls: { ca: 'CA' } });
  assert.deepEqual(natsConnectOptions('nats://nats:4222', { ca: 'CA', cert: 'C', key: 'K' }), {
    servers: 'nats://nats:4222',
    tls: { ca: 'CA', cert: 'C', key: 'K' },
  });
});

test('a .creds file becomes an authenticator', () => {
  const options = natsConnectOptions('nats://nats:4222', { creds: CREDS });
  assert.equal(typeof options.authenticator, 'function');
  assert.equal(options.user, undefined);
});

test('a .creds file needs a user JWT and a seed; the problem never quotes the file', () => {
  assert.equal(credsFileProblem(CREDS), undefined);
  assert.match(credsFileProblem('SUAIBDPB') ?? '', /no NATS user JWT/);
  assert.match(credsFileProblem(CREDS.replace(/-----BEGIN USER NKEY SEED-----[\s\S]*/, '')) ?? '', /no user nkey seed/);
});

test('files are read by setting; an unreadable or wrong file is named with its setting, never quoted', () => {
  const settings = { bus: 'nats://nats', busCredsFile: '/c', busCaFile: '/ca', busCertFile: '', busKeyFile: '' };
  const contents: Record<string, string> = { '/c': CREDS, '/ca': 'CA PEM' };
  const readFile = (path: string) => {
    const text = contents[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
  assert.deepEqual(readBusFiles(settings, readFile), { creds: CREDS, ca: 'CA PEM', cert: undefined, key: undefined });
  assert.throws(
    () => readBusFiles({ ...settings, busCaFile: '/missing' }, readFile),
    /^Error: PULLTRACE_BUS_CA_FILE \/missing cannot be read \(ENOENT\)$/,
  );
  contents['/c'] = 'password=hunter2';
  assert.throws(
    () => readBusFiles(settings, readFile),
    (err: Error) => /PULLTRACE_BUS_CREDS_FILE \/c is not a NATS \.creds file/.test(err.message) && !err.message.includes('hunter2'),
  );
});
