// The chart's install-time checks, run by the real helm: `helm upgrade --install --dry-run=server`
// against an API that answers helm's reads (test/kit/fakeKube/helmReadsApi.ts), so `lookup` sees a
// namespace and nodes as on a cluster; and `helm template` for what needs no cluster.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { resolveSettings } from '../../src/config/index.js';
import { type HelmReadsCluster, startHelmReadsApi, writeKubeconfig } from '../kit/index.js';
import {
  CHART_DIR,
  type K8sObject,
  oneOfKind,
  parseManifests,
  renderChart,
  runHelm,
  runHelmAsync,
  TEST_IMAGE_REPOSITORY,
  templateChart,
} from './helm.js';

const dir = mkdtempSync(join(tmpdir(), 'pulltrace-preflight-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const KUBEADM_NODE = { name: 'node-1', kubeletVersion: 'v1.31.4' };

/** `helm upgrade --install --dry-run=server` against a cluster holding `cluster`; NOTES separated. */
async function dryRun(cluster: HelmReadsCluster, sets: string[] = []) {
  const api = await startHelmReadsApi(cluster);
  try {
    const kubeconfig = await writeKubeconfig(dir, api.url);
    const r = await runHelmAsync([
      'upgrade',
      '--install',
      'pulltrace',
      CHART_DIR,
      '--dry-run=server',
      '--disable-openapi-validation',
      '--namespace',
      cluster.namespace.name,
      '--kubeconfig',
      kubeconfig,
      '--set',
      `image.repository=${TEST_IMAGE_REPOSITORY}`,
      ...sets,
    ]);
    const [manifests, notes] = r.stdout.split(/^NOTES:$/m) as [string, string | undefined];
    return {
      ...r,
      notes: notes ?? '',
      objects: r.code === 0 ? parseManifests(manifests.replace(/^[\s\S]*?^MANIFEST:$/m, '')) : [],
      requests: api.requests,
    };
  } finally {
    await api.close();
  }
}

const socketOf = (objects: K8sObject[]) =>
  (oneOfKind(objects, 'DaemonSet').spec.template.spec.containers[0].env as K8sObject[]).find(
    (e) => e.name === 'PULLTRACE_CONTAINERD_SOCKET',
  )?.value;

const FIX = 'kubectl label namespace pulltrace pod-security.kubernetes.io/enforce=privileged --overwrite';

describe('Pod Security pre-flight', () => {
  for (const level of ['baseline', 'restricted']) {
    test(`a namespace enforcing "${level}" fails the install with the command that fixes it`, async () => {
      const r = await dryRun({
        namespace: { name: 'pulltrace', labels: { 'pod-security.kubernetes.io/enforce': level } },
        nodes: [KUBEADM_NODE],
      });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, new RegExp(`namespace pulltrace enforces Pod Security level "${level}", which rejects the agent pods`));
      assert.ok(r.stderr.includes(FIX), r.stderr);
      assert.ok(r.requests.includes('GET /api/v1/namespaces/pulltrace'), 'helm looked the namespace up');
    });
  }

  test('preflight.podSecurity=false installs anyway, without reading the namespace', async () => {
    const r = await dryRun(
      { namespace: { name: 'pulltrace', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } }, nodes: [KUBEADM_NODE] },
      ['--set', 'preflight.podSecurity=false'],
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.requests.some((q) => q.startsWith('GET /api/v1/namespaces/pulltrace?') || q === 'GET /api/v1/namespaces/pulltrace'));
    assert.doesNotMatch(r.notes, /Pod Security/);
  });

  test('a privileged namespace installs, and NOTES say nothing about Pod Security', async () => {
    const r = await dryRun({
      namespace: { name: 'pulltrace', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
      nodes: [KUBEADM_NODE],
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.notes, /Open the UI/);
    assert.doesNotMatch(r.notes, /Pod Security/);
  });

  for (const [what, namespace] of [
    ['without a label', { name: 'pulltrace' }],
    ['about to be created (--create-namespace)', { name: 'pulltrace', exists: false }],
  ] as const) {
    test(`a namespace ${what} installs, and NOTES warn with the command`, async () => {
      const r = await dryRun({ namespace, nodes: [KUBEADM_NODE] });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.notes, /Pod Security: namespace pulltrace has no pod-security\.kubernetes\.io\/enforce label/);
      assert.ok(r.notes.includes(FIX));
    });
  }
});

describe('without permission to read namespaces and nodes', () => {
  const cluster = (): HelmReadsCluster => ({
    namespace: { name: 'pulltrace' },
    nodes: [KUBEADM_NODE],
    forbidden: ['/api/v1/namespaces/pulltrace', '/api/v1/nodes'],
  });
  test('the checks that read the cluster say what they could not read', async () => {
    const r = await dryRun(cluster());
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /error calling lookup: .*forbidden/);
  });
  test('preflight.podSecurity=false and a preset install without reading them', async () => {
    const r = await dryRun(cluster(), ['--set', 'preflight.podSecurity=false', '--set', 'agent.containerd.preset=kubeadm']);
    assert.equal(r.code, 0, r.stderr);
    const paths = r.requests.map((q) => new URL(q.split(' ')[1] ?? '/', 'http://x').pathname);
    assert.ok(!paths.includes('/api/v1/nodes') && !paths.includes('/api/v1/namespaces/pulltrace'), paths.join('\n'));
    assert.equal(socketOf(r.objects), '/run/containerd/containerd.sock');
  });
});

describe('containerd.preset', () => {
  const presets: Array<[string, string]> = [
    ['kubeadm', '/run/containerd/containerd.sock'],
    ['k3s', '/run/k3s/containerd/containerd.sock'],
    ['rke2', '/run/k3s/containerd/containerd.sock'],
    ['k0s', '/run/k0s/containerd.sock'],
    ['microk8s', '/var/snap/microk8s/common/run/containerd.sock'],
  ];
  for (const [preset, socket] of presets) {
    test(`preset ${preset} → ${socket}, its directory mounted`, () => {
      const objects = renderChart({ values: { agent: { containerd: { preset } } } });
      assert.equal(socketOf(objects), socket);
      const volumes = oneOfKind(objects, 'DaemonSet').spec.template.spec.volumes as K8sObject[];
      assert.ok(volumes.some((v) => v.hostPath?.path === socket.slice(0, socket.lastIndexOf('/'))));
    });
  }

  test('an explicit socketPath wins over the preset', () => {
    const objects = renderChart({
      values: { agent: { containerd: { preset: 'k3s', socketPath: '/opt/containerd/run/containerd.sock' } } },
    });
    assert.equal(socketOf(objects), '/opt/containerd/run/containerd.sock');
  });

  test('auto under helm template (no cluster) is kubeadm’s path', () => {
    assert.equal(socketOf(renderChart()), '/run/containerd/containerd.sock');
  });

  test('an unknown preset is refused, naming the allowed ones', () => {
    const r = templateChart({ values: { agent: { containerd: { preset: 'eks' } } } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /agent\.containerd\.preset.*"auto", "kubeadm", "k3s", "rke2", "k0s", "microk8s"/);
  });

  const nodes: Array<[string, HelmReadsCluster['nodes'][number], string]> = [
    ['k3s', { name: 'n', kubeletVersion: 'v1.31.4+k3s1' }, '/run/k3s/containerd/containerd.sock'],
    ['rke2', { name: 'n', kubeletVersion: 'v1.31.4+rke2r1' }, '/run/k3s/containerd/containerd.sock'],
    ['k0s', { name: 'n', kubeletVersion: 'v1.31.4+k0s' }, '/run/k0s/containerd.sock'],
    [
      'microk8s',
      { name: 'n', kubeletVersion: 'v1.31.4', labels: { 'microk8s.io/cluster': 'true' } },
      '/var/snap/microk8s/common/run/containerd.sock',
    ],
    ['kubeadm', KUBEADM_NODE, '/run/containerd/containerd.sock'],
  ];
  for (const [distribution, node, socket] of nodes) {
    test(`auto on a ${distribution} node → ${socket}, named in NOTES`, async () => {
      const r = await dryRun({
        namespace: { name: 'pulltrace', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
        nodes: [node],
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(socketOf(r.objects), socket);
      assert.ok(r.notes.includes(`Agents read containerd at ${socket} (preset auto: ${distribution})`), r.notes);
    });
  }
});

describe('image.repository', () => {
  test('has no default: the chart refuses to render, saying how to build and push one', () => {
    const r = templateChart({ noTestImage: true });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /image\.repository is required/);
    assert.match(
      r.stderr,
      /docker build -t registry\.example\.com\/pulltrace:\d+\.\d+\.\d+ \. && docker push registry\.example\.com\/pulltrace:/,
    );
    assert.match(r.stderr, /--set image\.repository=registry\.example\.com\/pulltrace/);
  });

  test('per-component repositories are enough on their own', () => {
    const r = templateChart({
      noTestImage: true,
      values: { server: { image: { repository: 'r.example/s' } }, agent: { image: { repository: 'r.example/a' } } },
    });
    assert.equal(r.code, 0, r.stderr);
    const r2 = templateChart({ noTestImage: true, values: { server: { image: { repository: 'r.example/s' } } } });
    assert.notEqual(r2.code, 0, 'the agent still has no image');
  });
});

describe('config.watchNamespaces', () => {
  const envOf = (objects: K8sObject[]) =>
    (oneOfKind(objects, 'Deployment').spec.template.spec.containers[0].env as K8sObject[]).find(
      (e) => e.name === 'PULLTRACE_WATCH_NAMESPACES',
    )?.value;
  test('takes a YAML list, and --set with helm’s list syntax', () => {
    assert.equal(envOf(renderChart({ values: { config: { watchNamespaces: ['team-a', 'team-b'] } } })), 'team-a,team-b');
    const r = runHelm([
      'template',
      'pulltrace',
      CHART_DIR,
      '--set',
      `image.repository=${TEST_IMAGE_REPOSITORY}`,
      '--set',
      'config.watchNamespaces={team-a,team-b}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(envOf(parseManifests(r.stdout)), 'team-a,team-b');
  });
  test('still takes the string form', () => {
    assert.equal(envOf(renderChart({ values: { config: { watchNamespaces: 'team-a, team-b' } } })), 'team-a,team-b');
  });
  test('defaults to every namespace', () => {
    assert.equal(envOf(renderChart()), '');
  });
});

describe('durations the processes would refuse fail the install', () => {
  // The chart's minimums must be the CLI's: each case is checked against both.
  const cases: Array<[string, string, string, string]> = [
    ['reportInterval', 'PULLTRACE_REPORT_INTERVAL', '49ms', '50ms'],
    ['reportInterval', 'PULLTRACE_REPORT_INTERVAL', '0.01s', '0.05s'],
    ['stallTimeout', 'PULLTRACE_STALL_TIMEOUT', '50ms', '100ms'],
    ['stallTimeout', 'PULLTRACE_STALL_TIMEOUT', '10ms80ms', '10ms90ms'],
    ['historyTTL', 'PULLTRACE_HISTORY_TTL', '0s', '1ms'],
    ['historyRetention', 'PULLTRACE_HISTORY_RETENTION', '0.5ms', '1ms'],
    ['limits.sseStallTimeout', 'PULLTRACE_SSE_STALL_TIMEOUT', '999ms', '1s'],
  ];
  /** `config` values with `text` at the dotted `key` (limits.sseStallTimeout is under config.limits). */
  const configWith = (key: string, text: string): Record<string, unknown> =>
    key.split('.').reduceRight<unknown>((inner, part) => ({ [part]: inner }), text) as Record<string, unknown>;
  for (const [key, env, tooShort, shortest] of cases) {
    test(`config.${key}: ${tooShort} refused by chart and process, ${shortest} accepted by both`, () => {
      const command = env === 'PULLTRACE_REPORT_INTERVAL' ? 'agent' : 'server';
      const agentEnv = { PULLTRACE_SERVER_URL: 'http://x:8080' };
      assert.throws(() => resolveSettings(command, {}, { ...agentEnv, [env]: tooShort }), /too short/);
      assert.doesNotThrow(() => resolveSettings(command, {}, { ...agentEnv, [env]: shortest }));
      const refused = templateChart({ values: { config: configWith(key, tooShort) } });
      assert.notEqual(refused.code, 0);
      assert.match(
        refused.stderr,
        new RegExp(`config\\.${key.replace('.', '\\.')}=${tooShort.replace('.', '\\.')} is too short: ${env} must be at least \\d+ms`),
      );
      assert.equal(templateChart({ values: { config: configWith(key, shortest) } }).code, 0);
    });
  }
  test('zero and unitless values are refused by the schema', () => {
    for (const text of ['0', '30']) {
      const r = templateChart({ values: { config: { historyTTL: text } } });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /config\.historyTTL: Does not match pattern/);
    }
  });
});

describe('config.watchNamespaces before Kubernetes 1.30, against a cluster', () => {
  const privileged = { name: 'pulltrace', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } };
  const teamA = ['--set', 'config.watchNamespaces={team-a}'];
  const watched = (objects: K8sObject[]) =>
    (oneOfKind(objects, 'Deployment').spec.template.spec.containers[0].env as K8sObject[]).find(
      (e) => e.name === 'PULLTRACE_WATCH_NAMESPACES',
    )?.value;

  test('a 1.29 API server: the release namespace is watched too, and NOTES say why', async () => {
    const r = await dryRun({ namespace: privileged, nodes: [KUBEADM_NODE], version: 'v1.29.6' }, teamA);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(watched(r.objects), 'team-a,pulltrace');
    assert.match(r.notes, /Kubernetes v1\.29\.6 \(before 1\.30\) puts no node name in the agents' tokens/);
    assert.match(r.notes, /also watches namespace pulltrace/);
  });

  test('a 1.30 API server: only the listed namespaces, no such note', async () => {
    const r = await dryRun({ namespace: privileged, nodes: [KUBEADM_NODE], version: 'v1.30.2' }, teamA);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(watched(r.objects), 'team-a');
    assert.doesNotMatch(r.notes, /before 1\.30/);
  });
});
