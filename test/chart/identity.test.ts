// The chart's agent identity and TLS, rendered by the real helm: Kubernetes identity by default
// (projected token, TokenReview RBAC, NetworkPolicy), the shared-token and none modes, HTTPS from
// cert-manager or an existing Secret, and values typos refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CHART_DIR, type K8sObject, ofKind, oneOfKind, renderChart, templateChart } from './helm.js';

const defaults = renderChart();

function podSpec(objects: K8sObject[], kind: 'Deployment' | 'DaemonSet'): K8sObject {
  return oneOfKind(objects, kind).spec.template.spec;
}
function container(objects: K8sObject[], kind: 'Deployment' | 'DaemonSet'): K8sObject {
  return podSpec(objects, kind).containers[0];
}
function env(objects: K8sObject[], kind: 'Deployment' | 'DaemonSet'): Map<string, K8sObject> {
  return new Map((container(objects, kind).env as K8sObject[]).map((e) => [e.name as string, e]));
}

describe('Kubernetes identity (the default)', () => {
  test('the agent mounts a projected ServiceAccount token for audience pulltrace, one hour, and reads it from its file', () => {
    const pod = podSpec(defaults, 'DaemonSet');
    const volume = (pod.volumes as K8sObject[]).find((v) => v.name === 'agent-token');
    assert.deepEqual(volume?.projected, {
      sources: [{ serviceAccountToken: { audience: 'pulltrace', expirationSeconds: 3600, path: 'token' } }],
    });
    const mount = (container(defaults, 'DaemonSet').volumeMounts as K8sObject[]).find((m) => m.name === 'agent-token');
    assert.deepEqual(mount, { name: 'agent-token', mountPath: '/var/run/secrets/pulltrace', readOnly: true });
    assert.equal(env(defaults, 'DaemonSet').get('PULLTRACE_AGENT_TOKEN_FILE')?.value, '/var/run/secrets/pulltrace/token');
    assert.equal(pod.automountServiceAccountToken, false, 'no API token in the agent: the pulltrace-audience token is no API credential');
  });

  test("the server checks tokens by TokenReview and accepts only the agents' ServiceAccount", () => {
    const e = env(defaults, 'Deployment');
    assert.equal(e.get('PULLTRACE_AGENT_AUTH')?.value, 'kubernetes');
    const agentSa = podSpec(defaults, 'DaemonSet').serviceAccountName;
    assert.equal(e.get('PULLTRACE_AGENT_SERVICE_ACCOUNTS')?.value, `pulltrace:${agentSa}`);
    assert.equal(env(defaults, 'Deployment').has('PULLTRACE_AGENT_TOKEN'), false);
  });

  test('the server RBAC gains exactly create on tokenreviews.authentication.k8s.io', () => {
    const role = ofKind(defaults, 'ClusterRole').find((r) => r.metadata.name.endsWith('-tokenreview'));
    assert.deepEqual(role?.rules, [{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }]);
    const binding = ofKind(defaults, 'ClusterRoleBinding').find((b) => b.roleRef.name === role?.metadata.name);
    assert.deepEqual(binding?.subjects, [
      { kind: 'ServiceAccount', name: podSpec(defaults, 'Deployment').serviceAccountName, namespace: 'pulltrace' },
    ]);
    // watching a few namespaces keeps TokenReview cluster-scoped (it has no namespace)
    const scoped = renderChart({ values: { config: { watchNamespaces: 'team-a' } } });
    assert.ok(ofKind(scoped, 'ClusterRole').some((r) => r.metadata.name.endsWith('-tokenreview')));
  });

  test('NetworkPolicy is on by default: agents reach only the agent port, the server accepts agents and listed namespaces', () => {
    const policies = ofKind(defaults, 'NetworkPolicy');
    assert.equal(policies.length, 2);
    const agentPolicy = policies.find((p) => p.metadata.name.endsWith('-agent')) as K8sObject;
    assert.deepEqual(agentPolicy.spec.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(
      agentPolicy.spec.egress.map((r: K8sObject) => r.ports),
      [
        [{ port: 8081, protocol: 'TCP' }],
        [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
      ],
    );
  });

  test('kubernetes identity with config.kubernetes off, or a shared token without token mode, is refused with a message', () => {
    let r = templateChart({ values: { config: { kubernetes: 'off' }, agent: { auth: { mode: 'kubernetes' } } } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /agent\.auth\.mode=kubernetes checks agent tokens with the Kubernetes API, but config\.kubernetes is off/);
    r = templateChart({ values: { agent: { auth: { mode: 'kubernetes', token: 'x' } } } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /agent\.auth\.token \/ agent\.auth\.existingSecret are set but agent\.auth\.mode is kubernetes/);
  });
});

describe('shared token and none', () => {
  test('a shared token given (or Kubernetes off) without a mode means token mode, as before', () => {
    for (const values of [
      { agent: { auth: { token: 'x' } } },
      { agent: { auth: { existingSecret: 's' } } },
      { config: { kubernetes: 'off' }, agent: { auth: { token: 'y' } } },
    ]) {
      const objects = renderChart({ values });
      assert.equal(env(objects, 'Deployment').get('PULLTRACE_AGENT_AUTH')?.value, 'token', JSON.stringify(values));
      assert.ok(env(objects, 'DaemonSet').has('PULLTRACE_AGENT_TOKEN'), JSON.stringify(values));
    }
  });

  test('token mode without a token or Secret is refused without a cluster (helm template, Argo CD, Flux), naming the fix', () => {
    // Each render would draw another token, and the server and the agents would drift apart.
    for (const values of [{ agent: { auth: { mode: 'token' } } }, { config: { kubernetes: 'off' } }]) {
      const r = templateChart({ values });
      assert.notEqual(r.code, 0, JSON.stringify(values));
      assert.match(
        r.stderr,
        /agent\.auth\.mode=token needs agent\.auth\.token or agent\.auth\.existingSecret when the chart is rendered without a cluster \(helm template, Argo CD, Flux\).*set agent\.auth\.existingSecret=pulltrace-agent-token, or set agent\.auth\.token/,
      );
    }
    // With a cluster (install, upgrade) the one installed is kept, else one is drawn once.
    const helpers = readFileSync(join(CHART_DIR, 'templates', '_helpers.tpl'), 'utf8');
    assert.match(helpers, /lookup "v1" "Secret" \.Release\.Namespace \$name/);
    assert.match(helpers, /randAlphaNum 48/);
  });

  test('token mode with an inline token: the Secret holds it, both sides read it, both roll when it changes', () => {
    const render = (token: string) => renderChart({ values: { agent: { auth: { mode: 'token', token } } } });
    const first = render('first-token-value');
    const secret = oneOfKind(first, 'Secret');
    assert.equal(secret.stringData.token, 'first-token-value');
    const second = render('second-token-value');
    for (const kind of ['Deployment', 'DaemonSet'] as const) {
      assert.deepEqual(env(first, kind).get('PULLTRACE_AGENT_TOKEN')?.valueFrom?.secretKeyRef, {
        name: secret.metadata.name,
        key: 'token',
      });
      const checksum = (objects: K8sObject[]) => oneOfKind(objects, kind).spec.template.metadata.annotations['checksum/agent-token'];
      assert.match(checksum(first), /^[0-9a-f]{64}$/, kind);
      assert.equal(checksum(first), checksum(render('first-token-value')), `${kind}: the same Secret, the same checksum`);
      assert.notEqual(checksum(second), checksum(first), `${kind} rolls when the Secret changes`);
      assert.ok(!JSON.stringify(oneOfKind(first, kind)).includes('first-token-value'), `${kind} never carries the token itself`);
    }
    assert.equal(env(first, 'Deployment').get('PULLTRACE_AGENT_AUTH')?.value, 'token');
    assert.equal(ofKind(first, 'ClusterRole').filter((r) => r.metadata.name.endsWith('-tokenreview')).length, 0);
    // A Secret the chart does not render has no checksum here.
    const existing = renderChart({ values: { agent: { auth: { mode: 'token', existingSecret: 'mine' } } } });
    assert.equal(oneOfKind(existing, 'Deployment').spec.template.metadata.annotations?.['checksum/agent-token'], undefined);
  });

  test('none: no token anywhere, the server is told so explicitly', () => {
    const objects = renderChart({ values: { agent: { auth: { mode: 'none' } } } });
    assert.equal(env(objects, 'Deployment').get('PULLTRACE_AGENT_AUTH')?.value, 'none');
    assert.equal(ofKind(objects, 'Secret').length, 0);
    assert.equal(env(objects, 'DaemonSet').has('PULLTRACE_AGENT_TOKEN_FILE'), false);
    assert.ok(!(podSpec(objects, 'DaemonSet').volumes as K8sObject[]).some((v) => v.name === 'agent-token'));
  });
});

describe('TLS', () => {
  test('cert-manager: a Certificate for the service names; the server serves it, the agents verify with its CA over https', () => {
    const objects = renderChart({ values: { tls: { enabled: true, certManager: { issuerRef: { name: 'pulltrace-ca' } } } } });
    const cert = oneOfKind(objects, 'Certificate');
    assert.equal(cert.spec.secretName, 'pulltrace-server-tls');
    assert.deepEqual(cert.spec.issuerRef, { name: 'pulltrace-ca', kind: 'Issuer', group: 'cert-manager.io' });
    assert.ok(cert.spec.dnsNames.includes('pulltrace-server.pulltrace.svc'));
    const server = env(objects, 'Deployment');
    assert.equal(server.get('PULLTRACE_TLS_CERT_FILE')?.value, '/etc/pulltrace/tls/tls.crt');
    assert.equal(server.get('PULLTRACE_TLS_KEY_FILE')?.value, '/etc/pulltrace/tls/tls.key');
    assert.equal(container(objects, 'Deployment').readinessProbe.httpGet.scheme, 'HTTPS');
    const agent = env(objects, 'DaemonSet');
    assert.equal(agent.get('PULLTRACE_SERVER_URL')?.value, 'https://pulltrace-server.pulltrace.svc:8081');
    assert.equal(agent.get('PULLTRACE_SERVER_CA_FILE')?.value, '/etc/pulltrace/ca/ca.crt');
    const caVolume = (podSpec(objects, 'DaemonSet').volumes as K8sObject[]).find((v) => v.name === 'server-ca');
    assert.deepEqual(
      caVolume?.secret,
      { secretName: 'pulltrace-server-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
      'agents get the CA, never the key',
    );
  });

  test('an existing Secret: no Certificate; without either, a clear error', () => {
    const objects = renderChart({ values: { tls: { enabled: true, existingSecret: 'my-tls' } } });
    assert.equal(ofKind(objects, 'Certificate').length, 0);
    const volume = (podSpec(objects, 'Deployment').volumes as K8sObject[]).find((v) => v.name === 'tls');
    assert.equal(volume?.secret.secretName, 'my-tls');
    const r = templateChart({ values: { tls: { enabled: true } } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /tls\.enabled needs tls\.existingSecret .* or tls\.certManager\.issuerRef\.name/);
  });

  test('plain http by default', () => {
    assert.equal(env(defaults, 'DaemonSet').get('PULLTRACE_SERVER_URL')?.value, 'http://pulltrace-server.pulltrace.svc:8081');
    assert.equal(env(defaults, 'Deployment').has('PULLTRACE_TLS_CERT_FILE'), false);
  });
});

describe('values.schema.json still rejects typos', () => {
  for (const [what, values, pattern] of [
    ['a misspelt auth key', { agent: { auth: { mdoe: 'token' } } }, /mdoe/],
    ['an unknown auth mode', { agent: { auth: { mode: 'mtls' } } }, /mode/],
    ['a misspelt tls key', { tls: { enable: true } }, /enable/],
    ['a token lifetime under ten minutes', { agent: { auth: { tokenExpirationSeconds: 60 } } }, /tokenExpirationSeconds/],
  ] as const) {
    test(what, () => {
      const r = templateChart({ values: values as Record<string, unknown> });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, pattern);
    });
  }
});
