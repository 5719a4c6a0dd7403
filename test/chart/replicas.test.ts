// The chart's replica values, rendered by the real helm: without them it renders today's single
// server (one replica, Recreate, SQLite on a volume, no PDB); with bus.nats.url and a PostgreSQL
// Secret it runs several replicas that roll one at a time, spread over nodes, under a PDB.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type K8sObject, lintChart, ofKind, oneOfKind, renderChart, templateChart } from './helm.js';

const REPLICAS = {
  config: { cluster: 'eu-1' },
  server: { replicaCount: 3 },
  bus: { nats: { url: 'nats://nats.messaging:4222' } },
  history: { postgres: { existingSecret: 'pulltrace-db', secretKey: 'dsn' } },
};

function serverEnv(objects: K8sObject[]): Map<string, K8sObject> {
  const deployment = oneOfKind(objects, 'Deployment');
  const c = deployment.spec.template.spec.containers[0] as K8sObject;
  return new Map((c.env as K8sObject[]).map((e) => [e.name as string, e]));
}

test('defaults: one replica, Recreate, SQLite on the volume, no PDB, no spread, no bus or cluster settings', () => {
  const objects = renderChart();
  const deployment = oneOfKind(objects, 'Deployment');
  assert.equal(deployment.spec.replicas, 1);
  assert.deepEqual(deployment.spec.strategy, { type: 'Recreate' });
  assert.equal(deployment.spec.template.spec.topologySpreadConstraints, undefined);
  assert.deepEqual(ofKind(objects, 'PodDisruptionBudget'), []);
  assert.equal(ofKind(objects, 'PersistentVolumeClaim').length, 1);
  const env = serverEnv(objects);
  assert.deepEqual(env.get('PULLTRACE_DB'), { name: 'PULLTRACE_DB', value: '/data/history.db' });
  assert.equal(env.has('PULLTRACE_BUS'), false);
  assert.equal(env.has('PULLTRACE_CLUSTER'), false);
  // Spelling the defaults out renders the very same manifests.
  const explicit = templateChart({
    values: {
      config: { cluster: 'default' },
      server: { replicaCount: 1 },
      bus: { nats: { url: '' } },
      history: { postgres: { existingSecret: '' } },
    },
  });
  assert.equal(explicit.stdout, templateChart().stdout);
});

test('replicas with NATS and a PostgreSQL Secret: RollingUpdate, PDB, spread over nodes, no volume claim', () => {
  const objects = renderChart({ values: REPLICAS });
  const deployment = oneOfKind(objects, 'Deployment');
  assert.equal(deployment.spec.replicas, 3);
  assert.deepEqual(deployment.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  const selector = deployment.spec.selector.matchLabels;
  const [spread] = deployment.spec.template.spec.topologySpreadConstraints as K8sObject[];
  assert.equal(spread?.topologyKey, 'kubernetes.io/hostname');
  assert.deepEqual(spread?.labelSelector.matchLabels, selector);
  const pdb = oneOfKind(objects, 'PodDisruptionBudget');
  assert.equal(pdb.spec.maxUnavailable, 1);
  assert.deepEqual(pdb.spec.selector.matchLabels, selector);
  assert.deepEqual(ofKind(objects, 'PersistentVolumeClaim'), [], 'PostgreSQL holds the history');
  const data = (deployment.spec.template.spec.volumes as K8sObject[]).find((v) => v.name === 'data');
  assert.deepEqual(data?.emptyDir, {});
  const env = serverEnv(objects);
  assert.deepEqual(env.get('PULLTRACE_DB')?.valueFrom, { secretKeyRef: { name: 'pulltrace-db', key: 'dsn' } });
  assert.equal(env.get('PULLTRACE_BUS')?.value, 'nats://nats.messaging:4222');
  assert.equal(env.get('PULLTRACE_CLUSTER')?.value, 'eu-1');
  const lint = lintChart(REPLICAS);
  assert.equal(lint.code, 0, lint.stdout + lint.stderr);
});

test('more than one replica without NATS or PostgreSQL is refused with what is missing; bad names by the schema', () => {
  for (const values of [
    { server: { replicaCount: 2 } },
    { server: { replicaCount: 2 }, bus: { nats: { url: 'nats://n:4222' } } },
    { server: { replicaCount: 2 }, history: { postgres: { existingSecret: 's' } } },
  ]) {
    const r = templateChart({ values });
    assert.notEqual(r.code, 0, JSON.stringify(values));
    assert.match(r.stderr, /server.replicaCount=2 needs bus.nats.url .* and history.postgres.existingSecret/);
  }
  assert.match(templateChart({ values: { config: { cluster: 'EU.west' } } }).stderr, /cluster/);
  assert.match(templateChart({ values: { bus: { nats: { url: 'http://nats:4222' } } } }).stderr, /url/);
  assert.match(templateChart({ values: { server: { replicaCount: 0 } } }).stderr, /replicaCount/);
});
