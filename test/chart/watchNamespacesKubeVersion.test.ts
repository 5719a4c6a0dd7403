// Before Kubernetes 1.30 an agent's ServiceAccount token names its pod, not its node: the server
// finds the node by watching the agent pods. With config.watchNamespaces set, the chart must then
// watch the release namespace too, or every agent's report is refused (403).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type K8sObject, ofKind, oneOfKind, renderChart } from './helm.js';

function watchedNamespaces(objects: K8sObject[]): string | undefined {
  const env = oneOfKind(objects, 'Deployment').spec.template.spec.containers[0].env as K8sObject[];
  return env.find((e) => e.name === 'PULLTRACE_WATCH_NAMESPACES')?.value;
}

function roleNamespaces(objects: K8sObject[]): string[] {
  return ofKind(objects, 'Role')
    .map((r) => r.metadata.namespace as string)
    .sort();
}

describe('config.watchNamespaces and the Kubernetes version', () => {
  const teams = { config: { watchNamespaces: ['team-a', 'team-b'] } };

  test('Kubernetes 1.29: the release namespace is watched too, with a Role there', () => {
    const objects = renderChart({ values: teams, kubeVersion: '1.29.0', namespace: 'monitoring' });
    assert.equal(watchedNamespaces(objects), 'team-a,team-b,monitoring');
    assert.deepEqual(roleNamespaces(objects), ['monitoring', 'team-a', 'team-b']);
    const binding = ofKind(objects, 'RoleBinding').find((b) => b.metadata.namespace === 'monitoring');
    assert.equal(binding?.roleRef.kind, 'Role');
  });

  test('a provider build before 1.30 (v1.29.4-gke.100) counts as before 1.30', () => {
    const objects = renderChart({ values: teams, kubeVersion: 'v1.29.4-gke.100' });
    assert.equal(watchedNamespaces(objects), 'team-a,team-b,pulltrace');
  });

  test('Kubernetes 1.30: node-bound tokens, only the listed namespaces', () => {
    const objects = renderChart({ values: teams, kubeVersion: '1.30.0' });
    assert.equal(watchedNamespaces(objects), 'team-a,team-b');
    assert.deepEqual(roleNamespaces(objects), ['team-a', 'team-b']);
  });

  test('the release namespace already listed is not added twice', () => {
    const objects = renderChart({ values: { config: { watchNamespaces: 'pulltrace,team-a' } }, kubeVersion: '1.29.0' });
    assert.equal(watchedNamespaces(objects), 'pulltrace,team-a');
    assert.deepEqual(roleNamespaces(objects), ['pulltrace', 'team-a']);
  });

  test('every namespace watched ([]): still one ClusterRole, nothing added', () => {
    const objects = renderChart({ kubeVersion: '1.29.0' });
    assert.equal(watchedNamespaces(objects), '');
    assert.equal(ofKind(objects, 'Role').length, 0);
  });

  test('token mode needs no pod lookup: only the listed namespaces', () => {
    const objects = renderChart({
      values: { ...teams, agent: { auth: { mode: 'token', token: 't0ken-value' } } },
      kubeVersion: '1.29.0',
    });
    assert.equal(watchedNamespaces(objects), 'team-a,team-b');
  });
});
