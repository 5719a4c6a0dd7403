// agent.runtime=crio: the DaemonSet mounts CRI-O's paths read-only (same paths inside as on the
// node) instead of containerd's socket, sets the SELinux type that may read them, and its
// environment runs the real agent in CRI-O mode (which names the temporary folder it could not read).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runPulltrace } from '../kit/index.js';
import { type K8sObject, lintChart, oneOfKind, renderChart } from './helm.js';

const dir = mkdtempSync(join(tmpdir(), 'pulltrace-chart-crio-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('agent.runtime=crio: CRI-O paths mounted read-only, no containerd socket, spc_t, lint clean', () => {
  assert.equal(lintChart({ agent: { runtime: 'crio' } }).code, 0);
  const ds = oneOfKind(renderChart({ values: { agent: { runtime: 'crio' } } }), 'DaemonSet');
  const pod = ds.spec.template.spec;
  const container = pod.containers[0];
  const env = Object.fromEntries((container.env as K8sObject[]).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
  assert.equal(env.PULLTRACE_RUNTIME, 'crio');
  assert.equal(env.PULLTRACE_CRIO_TMP_DIR, '/var/tmp');
  assert.equal(env.PULLTRACE_CRIO_STORAGE_ROOT, '/var/lib/containers/storage');
  assert.equal(env.PULLTRACE_CRIO_CACHE_DIR, '/var/lib/containers/cache');
  assert.equal(env.PULLTRACE_CRIO_SOCKET, '/var/run/crio/crio.sock');
  assert.equal(env.PULLTRACE_CONTAINERD_SOCKET, undefined);
  const mounts = container.volumeMounts as K8sObject[];
  assert.deepEqual(
    mounts.map((m) => [m.mountPath, m.readOnly]),
    [
      ['/var/run/crio', true],
      ['/var/tmp', true],
      ['/var/lib/containers/storage', true],
      ['/var/lib/containers/cache', true],
      ...mounts.slice(4).map((m) => [m.mountPath, m.readOnly]),
    ],
  );
  const hostPaths = (pod.volumes as K8sObject[]).filter((v) => v.hostPath).map((v) => v.hostPath.path);
  assert.deepEqual(hostPaths, ['/var/run/crio', '/var/tmp', '/var/lib/containers/storage', '/var/lib/containers/cache']);
  assert.equal(container.securityContext.seLinuxOptions?.type, 'spc_t');
  assert.equal(container.securityContext.privileged, false);
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
});

test('the default (containerd) renders no CRI-O path and no SELinux type', () => {
  const container = oneOfKind(renderChart(), 'DaemonSet').spec.template.spec.containers[0];
  assert.ok(!(container.env as K8sObject[]).some((e) => String(e.name).startsWith('PULLTRACE_CRIO') || e.name === 'PULLTRACE_RUNTIME'));
  assert.equal(container.securityContext.seLinuxOptions, undefined);
});

test('a bad runtime is refused by the values schema', () => {
  const r = lintChart({ agent: { runtime: 'docker' } });
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /runtime/);
});

test('the rendered CRI-O environment runs the agent in CRI-O mode, which names the folder it cannot read', async () => {
  const tmpDir = join(dir, 'no-such-var-tmp');
  const ds = oneOfKind(renderChart({ values: { agent: { runtime: 'crio', crio: { tmpDir } } } }), 'DaemonSet');
  const env: Record<string, string> = {};
  for (const e of ds.spec.template.spec.containers[0].env as K8sObject[]) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.fieldRef) env[e.name] = 'worker-1';
  }
  const r = await runPulltrace(['agent'], env);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`cannot read CRI-O's temporary folder ${tmpDir}`));
  assert.doesNotMatch(r.stderr, /PULLTRACE_[A-Z_]+:/, 'no setting was rejected');
});
