// The real agent against a real server, over what production uses: a rotated projected token read
// from its file, and HTTPS with a CA and certificate made in the test. containerd is real (the
// agent refuses to run without it); no pull is needed: every report counts.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import {
  FakeKubeApi,
  issueServerCert,
  makeCa,
  metricValue,
  ProcessGroup,
  type PulltraceProcess,
  parseLogLines,
  pulltraceArgs,
  startContainerd,
  startPulltrace,
  TEST_SERVER_FLAGS,
  waitFor,
  writeKubeconfig,
} from '../kit/index.js';

const AGENT_SA = 'pulltrace:pulltrace-agent';

function startAgent(group: ProcessGroup, socket: string, serverUrl: string, extra: string[]) {
  const agent = group.start(
    process.execPath,
    [...pulltraceArgs(), 'agent', '--server-url', serverUrl, '--containerd-socket', socket, '--node-name', 'e2e-node', ...extra],
    { name: 'pulltrace agent' },
  );
  return { agent, logs: () => parseLogLines(agent.stdout()) };
}

async function reportsAccepted(server: PulltraceProcess): Promise<number> {
  return metricValue(await (await fetch(server.metricsUrl)).text(), 'pulltrace_agent_reports_total') ?? 0;
}

function setup(t: TestContext) {
  const group = new ProcessGroup();
  t.after(() => group.close());
  const dir = mkdtempSync(join(tmpdir(), 'pt-identity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return { group, dir };
}

test('a rotated token file is picked up without a restart', async (t) => {
  const { group, dir } = setup(t);
  const kube = await FakeKubeApi.start();
  t.after(() => kube.close());
  const containerd = group.track(await startContainerd(), 'containerd');
  const server = group.track(
    await startPulltrace(
      ['server', '--http-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--db', ':memory:', '--kubernetes', 'auto'],
      {
        env: {
          KUBECONFIG: await writeKubeconfig(dir, kube.url),
          PULLTRACE_AGENT_AUTH: 'kubernetes',
          PULLTRACE_AGENT_SERVICE_ACCOUNTS: AGENT_SA,
        },
      },
    ),
    'server',
  );
  const tokenFile = join(dir, 'token');
  const first = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'e2e-node', pod: { name: 'agent-1' } });
  writeFileSync(tokenFile, first);
  const { logs } = startAgent(group, containerd.socket, server.baseUrl, ['--agent-token-file', tokenFile, '--report-interval', '200ms']);
  await waitFor(async () => (await reportsAccepted(server)) > 0, {
    timeoutMs: 30_000,
    what: 'the first report accepted with the first token',
  });
  assert.ok(kube.tokens.reviewed.includes(first));

  // The kubelet rotates the projected token: a new file content, the old token soon invalid.
  const second = kube.tokens.issue({ serviceAccount: AGENT_SA, nodeName: 'e2e-node', pod: { name: 'agent-1' } });
  writeFileSync(join(dir, 'token.new'), second);
  copyFileSync(join(dir, 'token.new'), tokenFile);
  kube.tokens.revoke(first);
  await waitFor(() => kube.tokens.reviewed.includes(second), { timeoutMs: 15_000, what: 'the server to review the rotated token' });
  const after = await reportsAccepted(server);
  await waitFor(async () => (await reportsAccepted(server)) > after, {
    timeoutMs: 15_000,
    what: 'reports accepted with the rotated token',
  });
  assert.ok(!logs().some((l) => l.level === 'warn'), `no outage in the agent: ${JSON.stringify(logs().filter((l) => l.level === 'warn'))}`);
});

function httpsGet(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('HTTPS end to end: the agent verifies the server with its CA, refuses a wrong CA clearly; a renewed certificate is served without a restart', async (t) => {
  const { group, dir } = setup(t);
  const ca = makeCa(dir, 'pulltrace-ca');
  const otherCa = makeCa(dir, 'other-ca');
  const cert = issueServerCert(dir, ca, 'server');
  // the files the server reads, as a Secret volume would hold them
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  copyFileSync(cert.certFile, certFile);
  copyFileSync(cert.keyFile, keyFile);

  const containerd = group.track(await startContainerd(), 'containerd');
  const server = group.track(
    await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--tls-cert-file', certFile, '--tls-key-file', keyFile]),
    'server',
  );
  const httpsUrl = server.baseUrl.replace('http://', 'https://');
  assert.ok(server.logs().some((l) => l.msg === 'listening' && l.tls === true));
  const caPem = (await import('node:fs')).readFileSync(ca.certFile, 'utf8');
  assert.equal(await httpsGet(`${httpsUrl}/healthz`, caPem), 200);
  // plain HTTP is not served on the TLS port
  await assert.rejects(fetch(`${server.baseUrl}/healthz`));

  const good = startAgent(group, containerd.socket, httpsUrl, ['--server-ca-file', ca.certFile, '--report-interval', '200ms']);
  await waitFor(async () => (await reportsAccepted(server)) > 0, { timeoutMs: 30_000, what: 'reports accepted over HTTPS' });
  assert.deepEqual(
    good.logs().filter((l) => l.level === 'warn'),
    [],
    'the agent that trusts the CA never failed to report',
  );

  const wrong = startAgent(group, containerd.socket, httpsUrl, ['--server-ca-file', otherCa.certFile, '--node-name', 'wrong-ca-node']);
  const refusal = await waitFor(
    () =>
      wrong
        .logs()
        .find(
          (l) =>
            l.level === 'warn' &&
            l.msg === 'cannot report to the server; will keep polling and send only the latest snapshot once it answers',
        ),
    {
      timeoutMs: 30_000,
      what: 'the agent with the wrong CA to log why it cannot report',
    },
  );
  assert.match(
    String(refusal.reason),
    /the server's TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*\); set PULLTRACE_SERVER_CA_FILE to the CA that signed it/,
  );

  // cert-manager renews the certificate (here: signed by another CA); the listener serves it at once
  const renewed = issueServerCert(dir, otherCa, 'server-renewed');
  copyFileSync(renewed.keyFile, keyFile);
  copyFileSync(renewed.certFile, certFile);
  const otherPem = (await import('node:fs')).readFileSync(otherCa.certFile, 'utf8');
  await waitFor(async () => (await httpsGet(`${httpsUrl}/healthz`, otherPem).catch(() => 0)) === 200, {
    timeoutMs: 20_000,
    what: 'the renewed certificate to be served',
  });
  await waitFor(() => wrong.logs().some((l) => l.msg === 'reporting to the server again'), {
    timeoutMs: 20_000,
    what: 'the agent that trusts the new CA to report again',
  });
});
