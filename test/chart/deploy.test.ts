// deploy/pulltrace.yaml must be exactly what the chart renders with its defaults.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseManifests } from './helm.js';
import { DEPLOY_FILE, renderDeployManifest } from './renderDeploy.js';

test('deploy/pulltrace.yaml matches a fresh render of the chart defaults', () => {
  const committed = readFileSync(DEPLOY_FILE, 'utf8');
  assert.ok(
    committed === renderDeployManifest(),
    'deploy/pulltrace.yaml is out of date with charts/pulltrace: run `node --import tsx test/chart/renderDeploy.ts` and commit the result',
  );
});

test('deploy/pulltrace.yaml creates its namespace first and puts everything namespaced in it', () => {
  const objects = parseManifests(readFileSync(DEPLOY_FILE, 'utf8'));
  assert.deepEqual(objects[0], {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: 'pulltrace',
      labels: { 'app.kubernetes.io/part-of': 'pulltrace', 'pod-security.kubernetes.io/enforce': 'privileged' },
    },
  });
  for (const o of objects.slice(1)) {
    if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') continue;
    assert.equal(o.metadata.namespace, 'pulltrace', `${o.kind}/${o.metadata.name}`);
  }
  assert.ok(objects.some((o) => o.kind === 'DaemonSet') && objects.some((o) => o.kind === 'Deployment'));
});
