import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from '../watch/index.js';
import { explainProxyError } from './kubectlPulltrace.js';

const service = { namespace: 'pulltrace', name: 'pulltrace-server', port: 'http' };
const describe = 'service pulltrace/pulltrace-server via https://10.0.0.1:6443';
const PATH = '/api/v1/pulls';

/** A Status body as the API server's service proxy writes it. */
function status(code: number, message: string): string {
  const reason = { 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'Timeout' }[code] ?? 'InternalError';
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

test('a dial timeout through the proxy names the NetworkPolicy and networkPolicy.apiServerCIDRs', () => {
  const cases = [
    new HttpError(503, PATH, status(503, 'error trying to reach service: dial tcp 10.244.1.7:8080: i/o timeout')),
    new HttpError(502, PATH, status(502, 'error trying to reach service: dial tcp 10.244.1.7:8080: connect: connection timed out')),
    new HttpError(504, PATH, status(504, 'the server was unable to return a response in the time allotted')),
    Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:6443'), { code: 'ETIMEDOUT' }),
  ];
  for (const err of cases) {
    const hint = explainProxyError(err, service, describe);
    assert.match(hint, /NetworkPolicy/, hint);
    assert.match(hint, /networkPolicy\.apiServerCIDRs/, hint);
    assert.match(hint, /kubectl get endpoints kubernetes -n default/, hint);
    assert.match(hint, /kubectl -n pulltrace port-forward svc\/pulltrace-server 8080:http/, hint);
  }
  const first = explainProxyError(cases[0], service, describe);
  assert.match(
    first,
    /could not reach pulltrace\/pulltrace-server \(503: error trying to reach service: dial tcp 10\.244\.1\.7:8080: i\/o timeout\)/,
  );
});

test('no endpoints: the server pod is not running or not ready, no NetworkPolicy hint', () => {
  const hint = explainProxyError(
    new HttpError(503, PATH, status(503, 'no endpoints available for service "pulltrace-server"')),
    service,
    describe,
  );
  assert.match(hint, /server pod is not running or not ready \(kubectl -n pulltrace get pods\)/);
  assert.doesNotMatch(hint, /NetworkPolicy/);
});

test('403 and 401 keep their own advice', () => {
  assert.match(
    explainProxyError(new HttpError(403, PATH, status(403, 'forbidden')), service, describe),
    /needs `get` on `services\/proxy` in namespace "pulltrace"/,
  );
  assert.match(explainProxyError(new HttpError(401, PATH, ''), service, describe), /refused the kubeconfig’s credentials/);
  assert.doesNotMatch(explainProxyError(new HttpError(404, PATH, ''), service, describe), /NetworkPolicy/);
});
