// Pods as a real cluster serves them, for memory benchmarks and the slim-pod tests: managed
// fields, env, volumes and mounts, probes, many labels and annotations (a kubectl last-applied
// configuration among them), an init container and a sidecar. About 9 KB of JSON each.

import type { KubeObject } from './objects.js';
import { type ContainerStateInput, podObject } from './objects.js';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Pod `i` of a Deployment-like workload on `nodeName`; `state` is every app container's state. */
export function realisticPod(i: number, nodeName: string, state: ContainerStateInput = { running: {} }): KubeObject {
  const app = `service-${i % 400}`;
  const name = `${app}-7d9f${pad(i % 1000, 3)}c5b-${pad(i, 6)}`;
  const namespace = `team-${i % 40}`;
  const image = `registry.example.com/${namespace}/${app}:1.${i % 7}.${i % 13}`;
  const pod = podObject({
    name,
    namespace,
    nodeName,
    initContainers: [{ name: 'migrate', image, state: { terminated: { exitCode: 0 } } }],
    containers: [
      { name: 'app', image, state },
      { name: 'proxy', image: 'registry.example.com/platform/envoy:1.31.2', state },
    ],
    labels: {
      app,
      'app.kubernetes.io/name': app,
      'app.kubernetes.io/instance': `${app}-prod`,
      'app.kubernetes.io/version': `1.${i % 7}.${i % 13}`,
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/part-of': namespace,
      'app.kubernetes.io/managed-by': 'Helm',
      'pod-template-hash': `7d9f${pad(i % 1000, 3)}c5b`,
      'security.istio.io/tlsMode': 'istio',
      'topology.kubernetes.io/zone': `eu-west-1${'abc'[i % 3]}`,
    },
  });
  const meta = pod.metadata as Record<string, unknown>;
  meta.generateName = `${app}-7d9f${pad(i % 1000, 3)}c5b-`;
  meta.resourceVersion = String(100_000 + i);
  meta.annotations = {
    'kubectl.kubernetes.io/restartedAt': '2026-11-20T10:00:00Z',
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': '9090',
    'checksum/config': 'a'.repeat(64),
    'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace },
      spec: { replicas: 3, template: { spec: { containers: [{ name: 'app', image, env: envOf(app).slice(0, 10) }] } } },
    }),
  };
  meta.ownerReferences = [
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: `${app}-7d9f${pad(i % 1000, 3)}c5b`,
      uid: meta.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  meta.managedFields = [
    {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'v1',
      time: meta.creationTimestamp,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': {
          'f:generateName': {},
          'f:labels': Object.fromEntries(Object.keys(pod.metadata.labels ?? {}).map((k) => [`f:${k}`, {}])),
        },
        'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:env': {}, 'f:image': {}, 'f:ports': {}, 'f:resources': {} } } },
      },
    },
    {
      manager: 'kubelet',
      operation: 'Update',
      apiVersion: 'v1',
      time: meta.creationTimestamp,
      fieldsType: 'FieldsV1',
      subresource: 'status',
      fieldsV1: {
        'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:startTime': {} },
      },
    },
  ];
  const spec = pod.spec as Record<string, unknown>;
  const mounts = [
    { name: 'config', mountPath: '/etc/app', readOnly: true },
    { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
  ];
  for (const c of spec.containers as Array<Record<string, unknown>>) {
    c.env = envOf(app);
    c.ports = [
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ];
    c.resources = { limits: { cpu: '1', memory: '512Mi' }, requests: { cpu: '100m', memory: '256Mi' } };
    c.volumeMounts = mounts;
    c.readinessProbe = {
      httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' },
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    };
    c.livenessProbe = {
      httpGet: { path: '/live', port: 8080, scheme: 'HTTP' },
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    };
  }
  spec.volumes = [
    { name: 'config', configMap: { name: `${app}-config`, defaultMode: 420 } },
    {
      name: 'kube-api-access',
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    },
  ];
  const status = pod.status as Record<string, unknown>;
  status.podIP = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  status.podIPs = [{ ip: status.podIP }];
  status.qosClass = 'Burstable';
  return pod;
}

function envOf(app: string): Array<{ name: string; value?: string; valueFrom?: unknown }> {
  return [
    ...Array.from({ length: 16 }, (_, k) => ({
      name: `${app.toUpperCase().replaceAll('-', '_')}_SETTING_${k}`,
      value: `value-${k}-${'x'.repeat(k)}`,
    })),
    { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
    { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: `${app}-db`, key: 'password' } } },
  ];
}
