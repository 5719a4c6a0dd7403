// The chart's NATS credentials, rendered by the real helm: a URL with credentials and the .creds,
// CA and client certificate files come from a Secret the user created (bus.nats.existingSecret),
// never from values; combinations that cannot work are refused with the value to fix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type K8sObject, lintChart, oneOfKind, renderChart, templateChart } from './helm.js';

const POSTGRES = { postgres: { existingSecret: 'pulltrace-db' } };

function server(objects: K8sObject[]): { env: Map<string, K8sObject>; spec: K8sObject; container: K8sObject } {
  const spec = oneOfKind(objects, 'Deployment').spec.template.spec as K8sObject;
  const container = spec.containers[0] as K8sObject;
  return { env: new Map((container.env as K8sObject[]).map((e) => [e.name as string, e])), spec, container };
}

test('a URL with credentials, a .creds file, the CA and a client certificate all come from bus.nats.existingSecret', () => {
  const values = {
    server: { replicaCount: 2 },
    history: POSTGRES,
    bus: {
      nats: {
        existingSecret: 'pulltrace-nats',
        secretKeys: { url: 'url', creds: 'user.creds', ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' },
      },
    },
  };
  assert.equal(lintChart(values).code, 0);
  const { env, spec, container } = server(renderChart({ values }));
  assert.deepEqual(env.get('PULLTRACE_BUS')?.valueFrom, { secretKeyRef: { name: 'pulltrace-nats', key: 'url' } });
  assert.equal(env.get('PULLTRACE_BUS_CREDS_FILE')?.value, '/etc/pulltrace/nats/nats.creds');
  assert.equal(env.get('PULLTRACE_BUS_CA_FILE')?.value, '/etc/pulltrace/nats/ca.crt');
  assert.equal(env.get('PULLTRACE_BUS_CERT_FILE')?.value, '/etc/pulltrace/nats/tls.crt');
  assert.equal(env.get('PULLTRACE_BUS_KEY_FILE')?.value, '/etc/pulltrace/nats/tls.key');
  assert.deepEqual(
    (container.volumeMounts as K8sObject[]).find((m) => m.name === 'nats-auth'),
    { name: 'nats-auth', mountPath: '/etc/pulltrace/nats', readOnly: true },
  );
  assert.deepEqual(
    (spec.volumes as K8sObject[]).find((v) => v.name === 'nats-auth'),
    {
      name: 'nats-auth',
      secret: {
        secretName: 'pulltrace-nats',
        items: [
          { key: 'user.creds', path: 'nats.creds' },
          { key: 'ca.crt', path: 'ca.crt' },
          { key: 'tls.crt', path: 'tls.crt' },
          { key: 'tls.key', path: 'tls.key' },
        ],
      },
    },
  );
});

test('the URL inline and only a CA from the Secret: files mounted, the URL as given', () => {
  const { env, spec } = server(
    renderChart({
      values: { bus: { nats: { url: 'tls://nats.messaging:4222', existingSecret: 'nats-ca', secretKeys: { ca: 'ca.crt' } } } },
    }),
  );
  assert.deepEqual(env.get('PULLTRACE_BUS'), { name: 'PULLTRACE_BUS', value: 'tls://nats.messaging:4222' });
  assert.equal(env.has('PULLTRACE_BUS_CREDS_FILE'), false);
  assert.equal(env.has('PULLTRACE_BUS_CERT_FILE'), false);
  assert.deepEqual((spec.volumes as K8sObject[]).find((v) => v.name === 'nats-auth')?.secret.items, [{ key: 'ca.crt', path: 'ca.crt' }]);
});

test('without bus.nats there is no NATS volume or setting', () => {
  const { env, spec } = server(renderChart());
  assert.equal(
    [...env.keys()].some((k) => k.startsWith('PULLTRACE_BUS')),
    false,
  );
  assert.equal(
    (spec.volumes as K8sObject[]).some((v) => v.name === 'nats-auth'),
    false,
  );
});

test('combinations that cannot work are refused, naming the value to fix', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['credentials in the inline URL', { url: 'nats://user:pw@nats:4222' }, /bus\.nats\.url/],
    ['keys without a Secret', { url: 'nats://nats:4222', secretKeys: { creds: 'c' } }, /bus\.nats\.existingSecret, which is empty/],
    ['a Secret without keys', { url: 'nats://nats:4222', existingSecret: 's' }, /say which of its keys to use/],
    [
      'a certificate without its key',
      { url: 'tls://nats:4222', existingSecret: 's', secretKeys: { cert: 'tls.crt' } },
      /cert and bus\.nats\.secretKeys\.key go together/,
    ],
    ['two URLs', { url: 'nats://nats:4222', existingSecret: 's', secretKeys: { url: 'url' } }, /both give the NATS URL/],
    [
      'credentials but no URL',
      { existingSecret: 's', secretKeys: { creds: 'c' } },
      /no URL: set bus\.nats\.url or bus\.nats\.secretKeys\.url/,
    ],
    ['an unknown key', { url: 'nats://nats:4222', existingSecret: 's', secretKeys: { password: 'p' } }, /password/],
  ];
  for (const [what, nats, message] of cases) {
    const r = templateChart({ values: { bus: { nats } } });
    assert.notEqual(r.code, 0, what);
    assert.match(r.stderr, message, what);
  }
});
