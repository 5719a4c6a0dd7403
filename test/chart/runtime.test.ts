// The chart's settings against the real program: a server started with the rendered
// Deployment's environment answers the rendered probes and serves metrics, and enforces the
// token from the rendered Secret; an agent started with the rendered DaemonSet's environment
// parses it and names the socket it was pointed at.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FakeKubeApi, runPulltrace, startPulltrace, writeKubeconfig } from '../kit/index.js';
import { ALL_ON_VALUES, type K8sObject, oneOfKind, renderChart } from './helm.js';

const dir = mkdtempSync(join(tmpdir(), 'pulltrace-chart-runtime-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The container's environment as the kubelet would set it; fieldRefs and secretKeyRefs resolved from the rendered objects. */
function containerEnv(objects: K8sObject[], kind: 'Deployment' | 'DaemonSet', fieldValues: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of oneOfKind(objects, kind).spec.template.spec.containers[0].env as K8sObject[]) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.fieldRef) env[e.name] = fieldValues[e.valueFrom.fieldRef.fieldPath] as string;
    else if (e.valueFrom?.secretKeyRef) {
      const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === e.valueFrom.secretKeyRef.name);
      env[e.name] = secret?.stringData?.[e.valueFrom.secretKeyRef.key];
    }
  }
  return env;
}

function probePath(objects: K8sObject[], probe: 'livenessProbe' | 'readinessProbe'): string {
  return oneOfKind(objects, 'Deployment').spec.template.spec.containers[0][probe].httpGet.path;
}

// Loopback, free ports and no cluster: flags win over the chart's :8080/:8081/:9090 and kubernetes=auto.
const LOOPBACK_PORTS = ['--http-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--agent-addr', '127.0.0.1:0'];
const LOCAL_FLAGS = [...LOOPBACK_PORTS, '--kubernetes', 'off'];

describe('the rendered server environment runs the real server', () => {
  test('defaults: probes answer 200 "ok", the metrics port serves the pulltrace metrics, only the agents\' node-bound tokens may report', async (t) => {
    const objects = renderChart();
    // Kubernetes identity needs an API server: the fake one, answering TokenReviews
    const kube = await FakeKubeApi.start();
    t.after(() => kube.close());
    const env: Record<string, string> = {
      ...containerEnv(objects, 'Deployment', {}),
      PULLTRACE_DB: join(dir, 'defaults.db'),
      KUBECONFIG: await writeKubeconfig(dir, kube.url),
    };
    const server = await startPulltrace(['server', ...LOOPBACK_PORTS], { env });
    t.after(() => server.stop());
    for (const probe of ['livenessProbe', 'readinessProbe'] as const) {
      const res = await fetch(server.baseUrl + probePath(objects, probe));
      assert.equal(res.status, 200, probe);
      assert.equal((await res.text()).trim(), 'ok');
    }
    const metrics = await (await fetch(server.metricsUrl)).text();
    assert.match(metrics, /^pulltrace_pulls_active /m);
    const listening = server.logs().find((l) => l.msg === 'listening');
    assert.equal(listening?.db, env.PULLTRACE_DB);

    // The forged report of the threat model: no token, or the token of another node → nothing changes.
    const agentSa = `pulltrace:${oneOfKind(objects, 'DaemonSet').spec.template.spec.serviceAccountName}`;
    assert.equal(env.PULLTRACE_AGENT_SERVICE_ACCOUNTS, agentSa);
    const token = kube.tokens.issue({ serviceAccount: agentSa, nodeName: 'node-1', pod: { name: 'pulltrace-agent-x' } });
    // The chart's agents report on the agent port; the http port (the Ingress's) does not take reports.
    assert.ok(server.agentUrl, 'the rendered environment opens an agent port');
    const onHttpPort = await fetch(`${server.baseUrl}/api/v1/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nodeName: 'node-1', pulls: [] }),
    });
    assert.equal(onHttpPort.status, 404);
    const post = (nodeName: string, headers: Record<string, string>) =>
      fetch(`${server.agentUrl}/api/v1/report`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ nodeName, pulls: [] }),
      });
    assert.equal((await post('node-1', {})).status, 401);
    assert.equal((await post('worker-1', { authorization: `Bearer ${token}` })).status, 403);
    assert.equal((await post('node-1', { authorization: `Bearer ${token}` })).status, 200);
  });

  test('inline token: reports without it get 401, with it 200', async (t) => {
    // TLS is run end to end in test/agent/identityAndTls.test.ts; here plain HTTP keeps fetch simple
    const objects = renderChart({ values: { ...ALL_ON_VALUES, tls: { enabled: false } } });
    const env: Record<string, string> = { ...containerEnv(objects, 'Deployment', {}), PULLTRACE_DB: join(dir, 'token.db') };
    assert.equal(env.PULLTRACE_AGENT_TOKEN, 'test-token-value', 'the token reaches the server from the Secret');
    const server = await startPulltrace(['server', ...LOCAL_FLAGS], { env });
    t.after(() => server.stop());
    const report = JSON.stringify({ nodeName: 'node-1', timestamp: new Date().toISOString(), pulls: [] });
    const post = (headers: Record<string, string>) =>
      fetch(`${server.agentUrl}/api/v1/report`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: report,
      });
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ authorization: 'Bearer test-token-value' })).status, 200);
  });
});

describe('the rendered agent environment', () => {
  test('parses, and the agent names the containerd socket the chart gave it', async () => {
    const socketPath = join(dir, 'no-containerd-here', 'containerd.sock');
    const objects = renderChart({ values: { agent: { containerd: { socketPath } } } });
    const env = containerEnv(objects, 'DaemonSet', { 'spec.nodeName': 'worker-1' });
    assert.equal(env.PULLTRACE_NODE_NAME, 'worker-1');
    const r = await runPulltrace(['agent'], env);
    assert.notEqual(r.code, 0, 'no containerd: the agent refuses to run');
    assert.ok(r.stderr.includes(socketPath), `the error names ${socketPath}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /PULLTRACE_(?!CONTAINERD_SOCKET)[A-Z_]+:/, 'no other setting was rejected');
  });
});
