// `kubectl pulltrace` reaches the server through the API server's service proxy: the API server
// opens the connection to the server pod. networkPolicy.apiServerCIDRs admits it to the UI/API
// port (and only that port); by default nothing is added.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type K8sObject, ofKind, renderChart, templateChart } from './helm.js';

function serverPolicy(objects: K8sObject[]): K8sObject {
  const policy = ofKind(objects, 'NetworkPolicy').find((p) => p.metadata.name.endsWith('-server'));
  assert.ok(policy, 'a server NetworkPolicy');
  return policy;
}

function ipBlockRules(objects: K8sObject[]): K8sObject[] {
  return (serverPolicy(objects).spec.ingress as K8sObject[]).filter((rule) => (rule.from as K8sObject[]).some((peer) => peer.ipBlock));
}

describe('networkPolicy.apiServerCIDRs', () => {
  test('admits the listed ranges to the http port only', () => {
    const objects = renderChart({ values: { networkPolicy: { apiServerCIDRs: ['10.0.0.5/32', 'fd00::1/128'] } } });
    assert.deepEqual(ipBlockRules(objects), [
      {
        from: [{ ipBlock: { cidr: '10.0.0.5/32' } }, { ipBlock: { cidr: 'fd00::1/128' } }],
        ports: [{ port: 'http', protocol: 'TCP' }],
      },
    ]);
  });

  test('empty by default: no address range is admitted', () => {
    assert.deepEqual(ipBlockRules(renderChart()), []);
  });

  test('an address without a prefix length is refused, naming the key', () => {
    const r = templateChart({ values: { networkPolicy: { apiServerCIDRs: ['10.0.0.5'] } } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /networkPolicy\.apiServerCIDRs/);
  });

  test('ignored when the NetworkPolicy is off', () => {
    const objects = renderChart({ values: { networkPolicy: { enabled: false, apiServerCIDRs: ['10.0.0.5/32'] } } });
    assert.equal(ofKind(objects, 'NetworkPolicy').length, 0);
  });
});
