// The Helm chart, rendered by the real helm 3.17: what it creates, how locked down it is,
// and that it speaks the CLI's own setting names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { SETTINGS } from '../../src/config/index.js';
import {
  ALL_ON_VALUES,
  CHART_DIR,
  type K8sObject,
  lintChart,
  ofKind,
  oneOfKind,
  renderChart,
  runHelm,
  TEST_IMAGE_REPOSITORY,
  templateChart,
} from './helm.js';

const defaults = renderChart();
const allOn = renderChart({ values: ALL_ON_VALUES });

function podSpec(objects: K8sObject[], kind: 'Deployment' | 'DaemonSet'): K8sObject {
  return oneOfKind(objects, kind).spec.template.spec;
}

function container(objects: K8sObject[], kind: 'Deployment' | 'DaemonSet'): K8sObject {
  const containers = podSpec(objects, kind).containers as K8sObject[];
  assert.equal(containers.length, 1, `${kind} has one container`);
  return containers[0] as K8sObject;
}

function envOf(c: K8sObject): Map<string, K8sObject> {
  return new Map((c.env as K8sObject[]).map((e) => [e.name as string, e]));
}

function kinds(objects: K8sObject[]): string[] {
  return objects.map((o) => o.kind as string).sort();
}

describe('helm lint', () => {
  test('passes with default values', () => {
    const r = lintChart();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });
  test('passes with every optional part enabled', () => {
    const r = lintChart(ALL_ON_VALUES);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
  test('the helm used is 3.17', () => {
    assert.match(runHelm(['version', '--short']).stdout, /^v3\.17\./);
  });
});

describe('objects rendered', () => {
  test('defaults: server, agents, their accounts, cluster-wide read and TokenReview RBAC, NetworkPolicies, a history volume', () => {
    assert.deepEqual(kinds(defaults), [
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'DaemonSet',
      'Deployment',
      'NetworkPolicy',
      'NetworkPolicy',
      'PersistentVolumeClaim',
      'Service',
      'ServiceAccount',
      'ServiceAccount',
    ]);
  });

  test('everything on: Ingress, both NetworkPolicies, ServiceMonitor, PrometheusRule, token Secret, TLS Certificate, a Role per watched namespace', () => {
    assert.deepEqual(kinds(allOn), [
      'Certificate',
      'DaemonSet',
      'Deployment',
      'Ingress',
      'NetworkPolicy',
      'NetworkPolicy',
      'PersistentVolumeClaim',
      'PrometheusRule',
      'Role',
      'Role',
      'RoleBinding',
      'RoleBinding',
      'Secret',
      'Service',
      'ServiceAccount',
      'ServiceAccount',
      'ServiceMonitor',
    ]);
    assert.deepEqual(
      ofKind(allOn, 'Role').map((r) => r.metadata.namespace),
      ['team-a', 'team-b'],
    );
  });

  test('every namespaced object lands in the release namespace', () => {
    const objects = renderChart({ namespace: 'observability' });
    for (const o of objects) {
      if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') continue;
      assert.equal(o.metadata.namespace, 'observability', `${o.kind}/${o.metadata.name}`);
    }
  });

  test('object names stay valid DNS labels (≤ 63 characters) with the longest release name helm allows', () => {
    const release = 'a-release-name-that-is-as-long-as-helm-allows-it-53ch';
    assert.equal(release.length, 53);
    for (const o of renderChart({ release, values: ALL_ON_VALUES })) {
      assert.match(o.metadata.name, /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, `${o.kind} ${o.metadata.name}`);
    }
  });

  test('persistence off gives the server an emptyDir and no claim', () => {
    const objects = renderChart({ values: { server: { persistence: { enabled: false } } } });
    assert.equal(ofKind(objects, 'PersistentVolumeClaim').length, 0);
    const data = (podSpec(objects, 'Deployment').volumes as K8sObject[]).find((v) => v.name === 'data');
    assert.deepEqual(data?.emptyDir, {});
  });

  test('an existing claim is used as is', () => {
    const objects = renderChart({ values: { server: { persistence: { existingClaim: 'my-history' } } } });
    assert.equal(ofKind(objects, 'PersistentVolumeClaim').length, 0);
    const data = (podSpec(objects, 'Deployment').volumes as K8sObject[]).find((v) => v.name === 'data');
    assert.equal(data?.persistentVolumeClaim?.claimName, 'my-history');
  });
});

describe('server', () => {
  for (const [name, objects] of [
    ['defaults', defaults],
    ['everything on', allOn],
  ] as const) {
    test(`${name}: non-root, read-only root filesystem, no privilege escalation, no capabilities`, () => {
      const pod = podSpec(objects, 'Deployment');
      const c = container(objects, 'Deployment');
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.ok(pod.securityContext.runAsUser > 0, 'runs as a non-zero uid');
      assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
      assert.equal(c.securityContext.readOnlyRootFilesystem, true);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.notEqual(c.securityContext.privileged, true);
      assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
      assert.equal(pod.hostNetwork, undefined);
    });
  }

  test('probes /healthz (liveness) and /readyz (readiness) on the http port 8080; metrics on 9090; agent reports on 8081', () => {
    const c = container(defaults, 'Deployment');
    assert.deepEqual(c.livenessProbe.httpGet, { path: '/healthz', port: 'http', scheme: 'HTTP' });
    assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'http', scheme: 'HTTP' });
    const ports = Object.fromEntries((c.ports as K8sObject[]).map((p) => [p.name, p.containerPort]));
    assert.deepEqual(ports, { http: 8080, metrics: 9090, agent: 8081 });
    const env = envOf(c);
    assert.equal(env.get('PULLTRACE_HTTP_ADDR')?.value, ':8080');
    assert.equal(env.get('PULLTRACE_METRICS_ADDR')?.value, ':9090');
    assert.equal(env.get('PULLTRACE_AGENT_ADDR')?.value, ':8081');
    assert.deepEqual(c.args, ['server']);
  });

  test('history on the /data volume, which the pod group can write; /tmp writable for SQLite', () => {
    const pod = podSpec(defaults, 'Deployment');
    const c = container(defaults, 'Deployment');
    assert.equal(envOf(c).get('PULLTRACE_DB')?.value, '/data/history.db');
    const mounts = Object.fromEntries((c.volumeMounts as K8sObject[]).map((m) => [m.mountPath, m.name]));
    assert.deepEqual(mounts, { '/data': 'data', '/tmp': 'tmp' });
    const claim = oneOfKind(defaults, 'PersistentVolumeClaim');
    const data = (pod.volumes as K8sObject[]).find((v) => v.name === 'data');
    assert.equal(data?.persistentVolumeClaim?.claimName, claim.metadata.name);
    assert.equal(pod.securityContext.fsGroup, pod.securityContext.runAsGroup);
    assert.equal(
      oneOfKind(defaults, 'Deployment').spec.strategy.type,
      'Recreate',
      'a ReadWriteOnce volume cannot move during a rolling update',
    );
    assert.equal(oneOfKind(defaults, 'Deployment').spec.replicas, 1);
  });

  test('Service has http, metrics and agent ports from values, pointing at the named container ports', () => {
    const svc = oneOfKind(renderChart({ values: { server: { service: { port: 80, metricsPort: 9100, agentPort: 9200 } } } }), 'Service');
    assert.deepEqual(
      (svc.spec.ports as K8sObject[]).map((p) => [p.name, p.port, p.targetPort]),
      [
        ['http', 80, 'http'],
        ['metrics', 9100, 'metrics'],
        ['agent', 9200, 'agent'],
      ],
    );
    assert.equal(svc.spec.type, 'ClusterIP');
  });

  test('server.service.agentPort=0: no agent port; the agents report on the http port as before', () => {
    const objects = renderChart({ values: { server: { service: { agentPort: 0 } } } });
    assert.deepEqual(
      (oneOfKind(objects, 'Service').spec.ports as K8sObject[]).map((p) => p.name),
      ['http', 'metrics'],
    );
    const c = container(objects, 'Deployment');
    assert.deepEqual(
      (c.ports as K8sObject[]).map((p) => p.name),
      ['http', 'metrics'],
    );
    assert.equal(envOf(c).has('PULLTRACE_AGENT_ADDR'), false);
    assert.match(envOf(container(objects, 'DaemonSet')).get('PULLTRACE_SERVER_URL')?.value, /:8080$/);
    const [serverPolicy, agentPolicy] = ofKind(objects, 'NetworkPolicy') as [K8sObject, K8sObject];
    assert.deepEqual(serverPolicy.spec.ingress[0].ports, [{ port: 'http', protocol: 'TCP' }]);
    assert.deepEqual(agentPolicy.spec.egress[0].ports, [{ port: 8080, protocol: 'TCP' }]);
  });

  test('an agent port equal to the http or metrics port is refused, naming the value', () => {
    for (const service of [{ agentPort: 8080 }, { port: 80, metricsPort: 9100, agentPort: 9100 }]) {
      const r = templateChart({ values: { server: { service } } });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /server\.service\.agentPort=\d+ is also the http or metrics port/);
    }
  });

  test('ingress.trustedProxies reaches the server as PULLTRACE_TRUSTED_PROXIES; none by default (the header ignored)', () => {
    assert.equal(envOf(container(defaults, 'Deployment')).has('PULLTRACE_TRUSTED_PROXIES'), false);
    const objects = renderChart({ values: { ingress: { trustedProxies: ['10.244.0.0/16', 'fd00::/8', '192.168.1.10'] } } });
    assert.equal(envOf(container(objects, 'Deployment')).get('PULLTRACE_TRUSTED_PROXIES')?.value, '10.244.0.0/16,fd00::/8,192.168.1.10');
    const r = templateChart({ values: { ingress: { trustedProxies: ['ingress-nginx'] } } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ingress\.trustedProxies\.0/);
  });

  test('Service selector and Deployment selector pick the server pods and not the agents', () => {
    const svc = oneOfKind(defaults, 'Service');
    const serverLabels = oneOfKind(defaults, 'Deployment').spec.template.metadata.labels;
    const agentLabels = oneOfKind(defaults, 'DaemonSet').spec.template.metadata.labels;
    assert.ok(matches(svc.spec.selector, serverLabels));
    assert.ok(!matches(svc.spec.selector, agentLabels));
    assert.ok(matches(oneOfKind(defaults, 'Deployment').spec.selector.matchLabels, serverLabels));
    assert.ok(matches(oneOfKind(defaults, 'DaemonSet').spec.selector.matchLabels, agentLabels));
    assert.ok(!matches(oneOfKind(defaults, 'DaemonSet').spec.selector.matchLabels, serverLabels));
  });

  test('exposing the Service outside the cluster must be acknowledged', () => {
    const r = templateChart({ values: { server: { service: { type: 'NodePort' } } } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /server\.service\.exposureAcknowledged=true/);
  });

  test('config values reach the server as the CLI spells them', () => {
    const objects = renderChart({
      values: {
        config: { historyTTL: '10m', historyRetention: '24h', stallTimeout: '45s', kubernetes: 'off', logLevel: 'warn' },
        agent: { auth: { mode: 'token', token: 'config-test-token' } },
      },
    });
    const env = envOf(container(objects, 'Deployment'));
    assert.equal(env.get('PULLTRACE_HISTORY_TTL')?.value, '10m');
    assert.equal(env.get('PULLTRACE_HISTORY_RETENTION')?.value, '24h');
    assert.equal(env.get('PULLTRACE_STALL_TIMEOUT')?.value, '45s');
    assert.equal(env.get('PULLTRACE_KUBERNETES')?.value, 'off');
    assert.equal(env.get('PULLTRACE_LOG_LEVEL')?.value, 'warn');
    assert.equal(podSpec(objects, 'Deployment').automountServiceAccountToken, false, 'no API token when Kubernetes is off');
    assert.equal(envOf(container(allOn, 'Deployment')).get('PULLTRACE_WATCH_NAMESPACES')?.value, 'team-a,team-b');
  });

  test('connections per address and the stream stall timeout; behind the Ingress the cap has room for every viewer', () => {
    const env = envOf(container(defaults, 'Deployment'));
    assert.equal(env.get('PULLTRACE_MAX_CONNECTIONS_PER_ADDRESS')?.value, '256');
    assert.equal(env.get('PULLTRACE_SSE_STALL_TIMEOUT')?.value, '30s');
    // The controller's pods hold every viewer's stream: 256 + maxSseClients (1,000).
    assert.equal(envOf(container(allOn, 'Deployment')).get('PULLTRACE_MAX_CONNECTIONS_PER_ADDRESS')?.value, '1256');
    const custom = renderChart({ values: { config: { limits: { maxConnectionsPerAddress: 64, sseStallTimeout: '10s' } } } });
    assert.equal(envOf(container(custom, 'Deployment')).get('PULLTRACE_MAX_CONNECTIONS_PER_ADDRESS')?.value, '64');
    assert.equal(envOf(container(custom, 'Deployment')).get('PULLTRACE_SSE_STALL_TIMEOUT')?.value, '10s');
  });
});

describe('agent', () => {
  for (const [name, objects] of [
    ['defaults', defaults],
    ['everything on', allOn],
  ] as const) {
    test(`${name}: least privilege — no privileged mode, no capabilities, no escalation, read-only root, no host namespaces`, () => {
      const pod = podSpec(objects, 'DaemonSet');
      const c = container(objects, 'DaemonSet');
      assert.notEqual(c.securityContext.privileged, true);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.equal(c.securityContext.readOnlyRootFilesystem, true);
      assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
      assert.equal(pod.hostNetwork, undefined);
      assert.equal(pod.hostPID, undefined);
      assert.equal(pod.hostIPC, undefined);
      // uid 0 is explicit (the socket is root-owned), never an accident of the image.
      assert.equal(pod.securityContext.runAsUser, 0);
      assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
      assert.equal(pod.automountServiceAccountToken, false, 'the agent never calls the Kubernetes API');
      for (const v of pod.volumes as K8sObject[]) {
        if (v.hostPath) assert.equal(v.name, 'containerd-socket-dir', 'the only host path is the socket directory');
      }
    });
  }

  for (const socketPath of [
    '/run/containerd/containerd.sock',
    '/run/k3s/containerd/containerd.sock',
    '/var/snap/microk8s/common/run/containerd.sock',
  ]) {
    test(`mounts the directory of ${socketPath} read-only at the same path and points the agent at the socket`, () => {
      const objects = renderChart({ values: { agent: { containerd: { socketPath } } } });
      const pod = podSpec(objects, 'DaemonSet');
      const c = container(objects, 'DaemonSet');
      const volume = (pod.volumes as K8sObject[]).find((v) => v.name === 'containerd-socket-dir');
      assert.deepEqual(volume?.hostPath, { path: dirname(socketPath), type: 'Directory' });
      const mount = (c.volumeMounts as K8sObject[]).find((m) => m.name === 'containerd-socket-dir');
      assert.deepEqual(mount, { name: 'containerd-socket-dir', mountPath: dirname(socketPath), readOnly: true });
      assert.equal(envOf(c).get('PULLTRACE_CONTAINERD_SOCKET')?.value, socketPath);
    });
  }

  test('refuses a socket directly in a shared directory such as /run (the whole directory would be mounted)', () => {
    for (const socketPath of ['/run/containerd.sock', '/var/run/containerd.sock', '/tmp/containerd.sock']) {
      const r = templateChart({ values: { agent: { containerd: { socketPath } } } });
      assert.notEqual(r.code, 0, socketPath);
      assert.match(r.stderr, /agent\.containerd\.socketPath=.*give containerd a directory of its own/);
    }
  });

  test("node name from spec.nodeName, server URL = the server Service's agent port, report interval from config", () => {
    const objects = renderChart({
      namespace: 'obs',
      values: { config: { reportInterval: '2s' }, server: { service: { port: 8082, agentPort: 8083 } } },
    });
    const env = envOf(container(objects, 'DaemonSet'));
    assert.deepEqual(env.get('PULLTRACE_NODE_NAME')?.valueFrom, { fieldRef: { fieldPath: 'spec.nodeName' } });
    const svc = oneOfKind(objects, 'Service');
    assert.equal(env.get('PULLTRACE_SERVER_URL')?.value, `http://${svc.metadata.name}.obs.svc:8083`);
    assert.equal(env.get('PULLTRACE_REPORT_INTERVAL')?.value, '2s');
    assert.deepEqual(container(objects, 'DaemonSet').args, ['agent']);
  });

  test("agent.nodeOptions sets the agent's NODE_OPTIONS (V8 flags); none by default", () => {
    assert.equal(envOf(container(defaults, 'DaemonSet')).has('NODE_OPTIONS'), false);
    const custom = renderChart({ values: { agent: { nodeOptions: '--max-semi-space-size=2 --max-old-space-size=96' } } });
    assert.equal(envOf(container(custom, 'DaemonSet')).get('NODE_OPTIONS')?.value, '--max-semi-space-size=2 --max-old-space-size=96');
    const none = renderChart({ values: { agent: { nodeOptions: '' } } });
    assert.equal(envOf(container(none, 'DaemonSet')).has('NODE_OPTIONS'), false);
    assert.equal(envOf(container(defaults, 'Deployment')).has('NODE_OPTIONS'), false, 'the server keeps Node defaults');
  });

  test("server.nodeOptions sets the server's NODE_OPTIONS (a heap limit for very large clusters); none by default", () => {
    const custom = renderChart({ values: { server: { nodeOptions: '--max-old-space-size=256' } } });
    assert.equal(envOf(container(custom, 'Deployment')).get('NODE_OPTIONS')?.value, '--max-old-space-size=256');
    assert.equal(envOf(container(custom, 'DaemonSet')).has('NODE_OPTIONS'), false, 'the agent keeps its own');
  });

  test('tolerates control-plane nodes by default', () => {
    const tolerations = podSpec(defaults, 'DaemonSet').tolerations as K8sObject[];
    assert.ok(tolerations.some((t) => t.key === 'node-role.kubernetes.io/control-plane' && t.operator === 'Exists'));
    assert.deepEqual(podSpec(defaults, 'DaemonSet').nodeSelector, { 'kubernetes.io/os': 'linux' }, 'containerd on Linux nodes only');
  });

  test('runs as a non-root uid with the socket group when configured (e.g. MicroK8s)', () => {
    const objects = renderChart({ values: { agent: { runAsUser: 10001, runAsGroup: 10001, supplementalGroups: [998] } } });
    const sc = podSpec(objects, 'DaemonSet').securityContext;
    assert.equal(sc.runAsNonRoot, true);
    assert.equal(sc.runAsUser, 10001);
    assert.deepEqual(sc.supplementalGroups, [998]);
  });
});

describe('agent token', () => {
  test('Kubernetes identity (the default): neither side gets PULLTRACE_AGENT_TOKEN and no Secret exists', () => {
    assert.equal(ofKind(defaults, 'Secret').length, 0);
    assert.equal(envOf(container(defaults, 'Deployment')).has('PULLTRACE_AGENT_TOKEN'), false);
    assert.equal(envOf(container(defaults, 'DaemonSet')).has('PULLTRACE_AGENT_TOKEN'), false);
  });

  test('inline token: stored in a Secret both the server and the agents read', () => {
    const secret = oneOfKind(allOn, 'Secret');
    assert.equal(secret.stringData.token, 'test-token-value');
    for (const kind of ['Deployment', 'DaemonSet'] as const) {
      const ref = envOf(container(allOn, kind)).get('PULLTRACE_AGENT_TOKEN')?.valueFrom?.secretKeyRef;
      assert.deepEqual(ref, { name: secret.metadata.name, key: 'token' }, kind);
    }
    const text = JSON.stringify([oneOfKind(allOn, 'Deployment'), oneOfKind(allOn, 'DaemonSet')]);
    assert.ok(!text.includes('test-token-value'), 'the token itself is never in a pod spec');
    for (const kind of ['Deployment', 'DaemonSet'] as const) {
      assert.match(
        oneOfKind(allOn, kind).spec.template.metadata.annotations['checksum/agent-token'],
        /^[0-9a-f]{64}$/,
        `${kind} restarts when the token changes`,
      );
    }
    assert.equal(oneOfKind(defaults, 'DaemonSet').spec.template.metadata.annotations, undefined, 'no empty annotations');
  });

  test('existing Secret: referenced by name and key, none created', () => {
    const objects = renderChart({
      values: { agent: { auth: { mode: 'token', existingSecret: 'pt-token', existingSecretKey: 'agent-token' } } },
    });
    assert.equal(ofKind(objects, 'Secret').length, 0);
    for (const kind of ['Deployment', 'DaemonSet'] as const) {
      const ref = envOf(container(objects, kind)).get('PULLTRACE_AGENT_TOKEN')?.valueFrom?.secretKeyRef;
      assert.deepEqual(ref, { name: 'pt-token', key: 'agent-token' }, kind);
    }
  });
});

describe('RBAC', () => {
  function checkRules(rules: K8sObject[]): void {
    assert.deepEqual(
      rules.map((r) => r.apiGroups),
      [['']],
      'core API group only',
    );
    for (const rule of rules) {
      assert.deepEqual([...rule.verbs].sort(), ['get', 'list', 'watch']);
      for (const resource of rule.resources) assert.ok(['pods', 'events'].includes(resource), `unexpected resource ${resource}`);
      assert.equal(rule.resourceNames, undefined);
    }
    const granted = rules.flatMap((r) => r.resources as string[]);
    assert.ok(granted.includes('pods') && granted.includes('events'));
  }

  test('cluster-wide by default: get/list/watch on pods and events only, bound to the server account', () => {
    const read = ofKind(defaults, 'ClusterRole').filter((r) => !r.metadata.name.endsWith('-tokenreview'));
    assert.equal(read.length, 1);
    checkRules(read[0]?.rules);
    const binding = ofKind(defaults, 'ClusterRoleBinding').find((b) => b.roleRef.name === read[0]?.metadata.name);
    const serverSa = podSpec(defaults, 'Deployment').serviceAccountName;
    assert.deepEqual(binding?.subjects, [{ kind: 'ServiceAccount', name: serverSa, namespace: 'pulltrace' }]);
  });

  test('watchNamespaces: a Role and RoleBinding per namespace, no cluster-wide access', () => {
    assert.equal(ofKind(allOn, 'ClusterRole').length, 0);
    assert.equal(ofKind(allOn, 'ClusterRoleBinding').length, 0);
    for (const role of ofKind(allOn, 'Role')) checkRules(role.rules);
    const serverSa = podSpec(allOn, 'Deployment').serviceAccountName;
    for (const binding of ofKind(allOn, 'RoleBinding')) {
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: serverSa, namespace: 'pulltrace' }]);
    }
  });

  test('the agent account is bound to nothing', () => {
    const agentSa = podSpec(allOn, 'DaemonSet').serviceAccountName;
    for (const o of [...allOn, ...defaults]) {
      for (const s of (o.subjects ?? []) as K8sObject[]) assert.notEqual(s.name, agentSa);
    }
  });
});

describe('optional parts', () => {
  test('Ingress routes to the Service http port', () => {
    const ingress = oneOfKind(allOn, 'Ingress');
    const svc = oneOfKind(allOn, 'Service');
    const backend = ingress.spec.rules[0].http.paths[0].backend.service;
    assert.equal(backend.name, svc.metadata.name);
    assert.equal(backend.port.name, 'http');
    assert.equal(ingress.spec.ingressClassName, 'nginx');
  });

  test('no Ingress path reaches the report endpoint: every path goes to the http port, which does not serve it', () => {
    const objects = renderChart({
      values: {
        ingress: {
          enabled: true,
          hosts: [
            { host: 'a.example.com' },
            { host: 'b.example.com', paths: [{ path: '/api' }, { path: '/api/v1/report', pathType: 'Exact' }] },
          ],
        },
      },
    });
    const backends = (oneOfKind(objects, 'Ingress').spec.rules as K8sObject[]).flatMap((r) =>
      (r.http.paths as K8sObject[]).map((p) => p.backend.service.port),
    );
    assert.equal(backends.length, 3);
    for (const port of backends) assert.deepEqual(port, { name: 'http' });
    // The server takes reports on its agent port only (PULLTRACE_AGENT_ADDR; the http port answers 404:
    // test/server/agentPort.test.ts, and test/chart/runtime.test.ts with the rendered environment).
    const server = container(objects, 'Deployment');
    assert.equal(envOf(server).get('PULLTRACE_AGENT_ADDR')?.value, ':8081');
    const http = (server.ports as K8sObject[]).find((p) => p.name === 'http');
    assert.notEqual(http?.containerPort, 8081);
  });

  test('NetworkPolicy: agents to the agent port, listed namespaces to http, Prometheus to metrics; agents accept nothing and reach only the agent port and DNS', () => {
    const [serverPolicy, agentPolicy] = ofKind(allOn, 'NetworkPolicy') as [K8sObject, K8sObject];
    const serverLabels = oneOfKind(allOn, 'Deployment').spec.template.metadata.labels;
    const agentLabels = oneOfKind(allOn, 'DaemonSet').spec.template.metadata.labels;
    assert.ok(matches(serverPolicy.spec.podSelector.matchLabels, serverLabels));
    const [fromAgents, fromNamespaces, fromPrometheus] = serverPolicy.spec.ingress as K8sObject[];
    assert.ok(matches(fromAgents?.from[0].podSelector.matchLabels, agentLabels));
    assert.deepEqual(fromAgents?.ports, [{ port: 'agent', protocol: 'TCP' }], 'only the agents reach the agent port');
    assert.deepEqual(fromNamespaces?.from[0].namespaceSelector.matchExpressions[0].values, ['ingress-nginx']);
    assert.deepEqual(fromNamespaces?.ports, [{ port: 'http', protocol: 'TCP' }]);
    assert.deepEqual(fromPrometheus?.from[0].namespaceSelector.matchLabels, { 'kubernetes.io/metadata.name': 'monitoring' });
    assert.deepEqual(fromPrometheus?.ports, [{ port: 'metrics', protocol: 'TCP' }]);
    assert.ok(matches(agentPolicy.spec.podSelector.matchLabels, agentLabels));
    assert.deepEqual(agentPolicy.spec.ingress, []);
    assert.deepEqual(agentPolicy.spec.policyTypes, ['Ingress', 'Egress']);
    const [toServer, toDns] = agentPolicy.spec.egress as K8sObject[];
    assert.ok(matches(toServer?.to[0].podSelector.matchLabels, serverLabels));
    assert.deepEqual(toServer?.ports, [{ port: 8081, protocol: 'TCP' }]);
    assert.deepEqual(toDns, {
      ports: [
        { port: 53, protocol: 'UDP' },
        { port: 53, protocol: 'TCP' },
      ],
    });
  });

  test('ServiceMonitor scrapes the metrics port of the server Service', () => {
    const sm = oneOfKind(allOn, 'ServiceMonitor');
    const svc = oneOfKind(allOn, 'Service');
    assert.ok(matches(sm.spec.selector.matchLabels, svc.metadata.labels));
    assert.deepEqual(sm.spec.endpoints[0].port, 'metrics');
    assert.equal(sm.spec.endpoints[0].path, '/metrics');
    assert.equal(sm.metadata.labels.release, 'prometheus');
  });

  test('PrometheusRule carries exactly the alerts of docs/prometheus/alerts.yaml', () => {
    const docsAlerts = readFileSync(join(CHART_DIR, '..', '..', 'docs', 'prometheus', 'alerts.yaml'), 'utf8');
    assert.equal(
      readFileSync(join(CHART_DIR, 'files', 'alerts.yaml'), 'utf8'),
      docsAlerts,
      'charts/pulltrace/files/alerts.yaml is a copy of docs/prometheus/alerts.yaml: copy it again',
    );
    const rule = oneOfKind(allOn, 'PrometheusRule');
    assert.deepEqual(rule.spec, parseYaml(docsAlerts));
    assert.equal(rule.metadata.labels.release, 'prometheus');
  });
});

describe('images', () => {
  test('every container image is pinned: a tag, never latest', () => {
    for (const objects of [defaults, allOn]) {
      for (const kind of ['Deployment', 'DaemonSet'] as const) {
        const image = container(objects, kind).image as string;
        const tag = /:([^/:@]+)$/.exec(image)?.[1];
        assert.ok(tag, `${image} has a tag`);
        assert.notEqual(tag, 'latest');
      }
    }
    const chart = parseYaml(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8'));
    assert.equal(container(defaults, 'Deployment').image, `${TEST_IMAGE_REPOSITORY}:${chart.appVersion}`, 'tag defaults to appVersion');
  });

  test('latest is refused with a message naming the setting', () => {
    for (const values of [
      { image: { tag: 'latest' } },
      { agent: { image: { tag: 'latest' } } },
      { server: { image: { tag: 'latest' } } },
    ]) {
      const r = templateChart({ values });
      assert.notEqual(r.code, 0, JSON.stringify(values));
      assert.match(r.stderr, /image tag "latest" is not allowed.*image\.tag/);
    }
  });

  test('per-component image overrides', () => {
    const objects = renderChart({
      values: { image: { repository: 'registry.example.com/pulltrace', tag: '1.2.3' }, agent: { image: { tag: '1.2.4' } } },
    });
    assert.equal(container(objects, 'Deployment').image, 'registry.example.com/pulltrace:1.2.3');
    assert.equal(container(objects, 'DaemonSet').image, 'registry.example.com/pulltrace:1.2.4');
  });
});

describe('environment variables are the CLI’s own', () => {
  const byScope = (scope: 'server' | 'agent') => new Set(SETTINGS.filter((s) => s.scopes.includes(scope)).map((s) => s.env));

  for (const [name, objects] of [
    ['defaults', defaults],
    ['everything on', allOn],
  ] as const) {
    test(`${name}: server env ⊆ server settings, agent env ⊆ agent settings`, () => {
      for (const [kind, scope] of [
        ['Deployment', 'server'],
        ['DaemonSet', 'agent'],
      ] as const) {
        const known = byScope(scope);
        for (const e of container(objects, kind).env as K8sObject[]) {
          // NODE_OPTIONS is read by Node.js itself (V8 flags: agent.nodeOptions, server.nodeOptions), not by the CLI.
          if (e.name === 'NODE_OPTIONS') continue;
          assert.ok(known.has(e.name), `${kind} sets ${e.name}, which \`pulltrace ${scope}\` does not read`);
        }
      }
    });
  }

  test('every PULLTRACE_ name anywhere in the rendered text is a setting', () => {
    const known = new Set(SETTINGS.map((s) => s.env));
    for (const values of [undefined, ALL_ON_VALUES]) {
      const text = templateChart({ values }).stdout;
      for (const [name] of text.matchAll(/PULLTRACE_[A-Z0-9_]+/g)) assert.ok(known.has(name), `${name} is not a setting`);
    }
  });

  test('the schema’s extraEnv names are exactly the settings table', () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
    const names: string[] = schema.definitions.extraEnv.items.properties.name.enum;
    assert.deepEqual([...names].sort(), SETTINGS.map((s) => s.env).sort());
  });
});

describe('values.schema.json', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a typo in a key', { config: { logLevl: 'debug' } }, /config: Additional property logLevl is not allowed/],
    ['a typo at the top level', { ingres: { enabled: true } }, /Additional property ingres is not allowed/],
    [
      'a typo under agent',
      { agent: { containerd: { socketpath: '/x/y.sock' } } },
      /agent\.containerd: Additional property socketpath is not allowed/,
    ],
    [
      'agent NODE_OPTIONS that are not --flags',
      { agent: { nodeOptions: 'max-semi-space-size=1' } },
      /agent\.nodeOptions: Does not match pattern/,
    ],
    [
      'server NODE_OPTIONS that are not --flags',
      { server: { nodeOptions: '--max-old-space-size=256; rm -rf /' } },
      /server\.nodeOptions: Does not match pattern/,
    ],
    [
      'a port given as text',
      { server: { service: { port: 'eighty' } } },
      /server\.service\.port: Invalid type\. Expected: integer, given: string/,
    ],
    [
      'a flag given as text',
      { networkPolicy: { enabled: 'yes' } },
      /networkPolicy\.enabled: Invalid type\. Expected: boolean, given: string/,
    ],
    [
      'an unknown log level',
      { config: { logLevel: 'verbose' } },
      /config\.logLevel: config\.logLevel must be one of the following: "debug", "info", "warn", "error"/,
    ],
    ['a duration without a unit', { config: { historyTTL: '30' } }, /config\.historyTTL: Does not match pattern/],
    [
      'a relative socket path',
      { agent: { containerd: { socketPath: 'containerd.sock' } } },
      /agent\.containerd\.socketPath: Does not match pattern/,
    ],
    [
      'an env name the CLI does not read',
      { server: { extraEnv: [{ name: 'PULLTRACE_HTTP_PORT', value: '1' }] } },
      /server\.extraEnv\.0\.name: server\.extraEnv\.0\.name must be one of/,
    ],
    ['a bad namespace in watchNamespaces', { config: { watchNamespaces: 'Team_A' } }, /config\.watchNamespaces/],
  ];
  for (const [what, values, message] of cases) {
    test(`rejects ${what} with a message naming it`, () => {
      const r = templateChart({ values });
      assert.notEqual(r.code, 0, `helm accepted ${JSON.stringify(values)}`);
      assert.match(r.stderr, message);
    });
  }

  test('keeps the original chart’s keys', () => {
    const values = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'));
    for (const path of [
      'agent.containerd.socketPath',
      'agent.auth.token',
      'agent.auth.existingSecret',
      'agent.auth.existingSecretKey',
      'config.logLevel',
      'config.watchNamespaces',
      'config.historyTTL',
      'config.reportInterval',
      'server.service.port',
      'server.service.metricsPort',
      'ingress.enabled',
      'ingress.className',
      'ingress.hosts',
      'ingress.tls',
      'networkPolicy.enabled',
      'networkPolicy.allowedNamespaces',
      'networkPolicy.allowMetricsScrape',
      'networkPolicy.prometheusNamespace',
    ]) {
      let at: unknown = values;
      for (const key of path.split('.')) at = (at as Record<string, unknown> | undefined)?.[key];
      assert.notEqual(at, undefined, `values.yaml has ${path}`);
    }
  });
});

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
