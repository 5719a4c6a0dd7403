import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pickServerService, type ServiceLike, serviceProxyPath } from './findService.js';

const svc = (
  namespace: string,
  name: string,
  ports: Array<{ name?: string; port?: number }> = [{ name: 'http', port: 8080 }],
): ServiceLike => ({
  metadata: { namespace, name },
  spec: { ports },
});

test('one server Service is found, in any namespace or the one asked for', () => {
  assert.deepEqual(pickServerService([svc('pulltrace', 'pulltrace-server')], undefined), {
    ok: true,
    service: { namespace: 'pulltrace', name: 'pulltrace-server', port: 'http' },
  });
  const two = [svc('a', 'pulltrace-server'), svc('b', 'pt-server')];
  assert.deepEqual(pickServerService(two, 'b'), { ok: true, service: { namespace: 'b', name: 'pt-server', port: 'http' } });
});

test('none or several: a message saying what to pass', () => {
  const none = pickServerService([], 'ops');
  assert.equal(none.ok, false);
  assert.match(!none.ok ? none.message : '', /no Pulltrace server Service \(labels .*\) in namespace "ops"/);
  const many = pickServerService([svc('a', 'x'), svc('b', 'y')], undefined);
  assert.match(!many.ok ? many.message : '', /more than one .* in any namespace \(a\/x, b\/y\); choose one with --pulltrace-namespace/);
});

test('the port: the chart’s "http", else the first port’s name or number', () => {
  for (const [ports, want] of [
    [
      [
        { name: 'metrics', port: 9090 },
        { name: 'http', port: 80 },
      ],
      'http',
    ],
    [[{ name: 'web', port: 80 }], 'web'],
    [[{ port: 8080 }], '8080'],
  ] as Array<[Array<{ name?: string; port?: number }>, string]>) {
    const r = pickServerService([svc('n', 's', ports)], undefined);
    assert.equal(r.ok && r.service.port, want);
  }
});

test('service proxy path', () => {
  assert.equal(
    serviceProxyPath({ namespace: 'pulltrace', name: 'pulltrace-server', port: 'http' }),
    '/api/v1/namespaces/pulltrace/services/pulltrace-server:http/proxy',
  );
});
