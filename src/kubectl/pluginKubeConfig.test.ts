// Which kubeconfig the plugin uses, and that every failure names where it looked.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPluginKubeConfig } from './pluginKubeConfig.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;

test('--kubeconfig, KUBECONFIG and ~/.kube/config: found, or a reason naming what was tried', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-kubeconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'good');
  writeFileSync(good, KUBECONFIG);
  const broken = join(dir, 'broken');
  writeFileSync(broken, 'clusters: [this is not yaml');
  const home = join(dir, 'home');
  const env = { HOME: home };

  const flag = loadPluginKubeConfig(good, env);
  assert.ok(flag.ok && flag.server === 'https://127.0.0.1:6443');
  const missing = loadPluginKubeConfig(join(dir, 'nope'), env);
  assert.ok(!missing.ok && missing.reason === `--kubeconfig ${join(dir, 'nope')}: no such file`);
  const bad = loadPluginKubeConfig(broken, env);
  assert.ok(!bad.ok && bad.reason.startsWith(`--kubeconfig ${broken}: `), !bad.ok ? bad.reason : '');

  const fromVariable = loadPluginKubeConfig(undefined, { ...env, KUBECONFIG: good });
  assert.ok(fromVariable.ok && fromVariable.source === `KUBECONFIG ${good}`);
  const none = loadPluginKubeConfig(undefined, env);
  assert.ok(!none.ok);
  assert.match(none.reason, /^no kubeconfig to reach the cluster: .*KUBECONFIG unset and .*home\/\.kube\/config missing/);
  assert.doesNotMatch(none.reason, /HTTP protocol|ENOENT/);
});

test('KUBECONFIG wins over a service account, as in kubectl', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-kubeconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'good');
  writeFileSync(good, KUBECONFIG);
  const sa = join(dir, 'sa');
  const deps = { exists: (p: string) => p === good || p === join(sa, 'token'), home: () => '', serviceAccountDir: sa };
  const env = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
  const withFile = loadPluginKubeConfig(undefined, { ...env, KUBECONFIG: good }, deps);
  assert.ok(withFile.ok && withFile.source === `KUBECONFIG ${good}`);
  const podOnly = loadPluginKubeConfig(undefined, env, deps);
  assert.ok(podOnly.ok && podOnly.source === 'in-cluster service account');
});
