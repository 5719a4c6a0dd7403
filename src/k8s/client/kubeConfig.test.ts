import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { type KubeConfigDeps, loadKubeConfig } from './kubeConfig.js';

function kubeconfig(name: string, server: string, skip = true): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: ${name}, cluster: {server: "${server}", insecure-skip-tls-verify: ${skip}}}]`,
    `users: [{name: ${name}, user: {token: t}}]`,
    `contexts: [{name: ${name}, context: {cluster: ${name}, user: ${name}}}]`,
    `current-context: ${name}`,
    '',
  ].join('\n');
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubeconfig-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('in-cluster service account comes first', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'token'), 'tok');
  await writeFile(join(dir, 'namespace'), 'pulltrace\n');
  await writeFile(join(dir, 'ca.crt'), 'placeholder');
  const deps: KubeConfigDeps = { exists: (p) => p.startsWith(dir), home: () => dir, serviceAccountDir: dir };
  const got = loadKubeConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: '/elsewhere' }, deps);
  assert.ok(got.ok);
  assert.equal(got.source, 'in-cluster service account');
  assert.equal(got.server, 'https://[fd00::1]:443');
  assert.equal(got.kc.getCurrentCluster()?.caFile, join(dir, 'ca.crt'));
  assert.equal(got.kc.getContextObject(got.kc.getCurrentContext())?.namespace, 'pulltrace');
  // the client reads the (rotating) token file for each request
  const fetchOptions = await got.kc.applyToFetchOptions({});
  assert.equal((fetchOptions.headers as unknown as Headers).get('authorization'), 'Bearer tok');
});

test('without a service account token, KUBECONFIG wins; several files are merged, missing ones skipped', async (t) => {
  const dir = await tempDir(t);
  const a = join(dir, 'a.yaml');
  const b = join(dir, 'b.yaml');
  await writeFile(a, kubeconfig('a', 'http://127.0.0.1:1'));
  await writeFile(b, kubeconfig('b', 'https://10.0.0.1:6443', false));
  const env = {
    KUBERNETES_SERVICE_HOST: '10.0.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBECONFIG: [join(dir, 'missing'), a, b].join(delimiter),
    HOME: dir,
  };
  const got = loadKubeConfig(env, { exists: (p) => p === a || p === b, home: () => dir, serviceAccountDir: join(dir, 'sa') });
  assert.ok(got.ok);
  assert.equal(got.server, 'http://127.0.0.1:1', 'first file keeps its current context');
  assert.equal(got.kc.getClusters().length, 2);
});

test('~/.kube/config is used when KUBECONFIG is unset', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, '.kube'));
  await writeFile(join(dir, '.kube', 'config'), kubeconfig('home', 'https://home.example:6443', false));
  const got = loadKubeConfig({ HOME: dir });
  assert.ok(got.ok);
  assert.equal(got.server, 'https://home.example:6443');
  assert.equal(got.source, join(dir, '.kube', 'config'));
});

test('nothing usable: a reason naming what is missing or wrong', async (t) => {
  const dir = await tempDir(t);
  const none = loadKubeConfig({ HOME: dir });
  assert.equal(none.ok, false);
  assert.match(none.ok ? '' : none.reason, /KUBECONFIG unset and .*\.kube\/config missing/);

  const missing = loadKubeConfig({ HOME: dir, KUBECONFIG: join(dir, 'gone.yaml') });
  assert.match(missing.ok ? '' : missing.reason, /KUBECONFIG names no existing file .*gone\.yaml/);

  const plain = join(dir, 'plain.yaml');
  await writeFile(plain, kubeconfig('p', 'http://127.0.0.1:8080', false));
  const http = loadKubeConfig({ HOME: dir, KUBECONFIG: plain });
  assert.match(http.ok ? '' : http.reason, /plain http server http:\/\/127\.0\.0\.1:8080 needs insecure-skip-tls-verify: true/);

  const broken = join(dir, 'broken.yaml');
  await writeFile(broken, 'clusters: [unclosed');
  const bad = loadKubeConfig({ HOME: dir, KUBECONFIG: broken });
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.reason, /broken\.yaml/);
});
