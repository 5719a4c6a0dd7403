// PULLTRACE_AGENT_ADDR on a real server: reports are taken on the agent port only (the UI port
// answers 404, so an Ingress or NetworkPolicy in front of it cannot let anyone report), the
// agent port serves nothing else, and what agents report there is what viewers see.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Reporter } from '../../src/agent/reporter.js';
import { createLogger } from '../../src/log/index.js';
import type { AgentReport } from '../../src/model/index.js';
import {
  getJson,
  layer,
  MiB,
  type PulltraceProcess,
  postReport,
  pullEntry,
  runPulltrace,
  startPulltrace,
  TEST_SERVER_FLAGS,
  waitFor,
} from '../kit/index.js';

let server: PulltraceProcess;
before(async () => {
  server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--agent-addr', '127.0.0.1:0']);
});
after(async () => server?.stop());

const report = { nodeName: 'node-a', pulls: [pullEntry('127.0.0.1/app:1', 'sha256:m1', [layer('sha256:l1', 4 * MiB, MiB)])] };

test('a report on the agent port is accepted and shown on the UI port; on the UI port it is a 404', async () => {
  assert.ok(server.agentUrl, 'the "listening" line names the agent port');
  const onUiPort = await postReport(server.baseUrl, { ...report, nodeName: 'node-b' });
  assert.equal(onUiPort.status, 404);
  assert.equal(((await onUiPort.json()) as { error: string }).error, 'not_found');

  const onAgentPort = await postReport(server.agentUrl, report);
  assert.equal(onAgentPort.status, 200);
  const pulls = await getJson<{ pulls: Array<{ nodeName: string; imageRef: string }> }>(`${server.baseUrl}/api/v1/pulls`);
  assert.deepEqual(
    pulls.body.pulls.map((p) => [p.nodeName, p.imageRef]),
    [['node-a', '127.0.0.1/app:1']],
    'the agent port’s report, and not the UI port’s',
  );
});

test('the agent port serves nothing but reports', async () => {
  for (const path of ['/api/v1/pulls', '/api/v1/events', '/api/v1/history', '/healthz', '/']) {
    const res = await fetch(`${server.agentUrl}${path}`);
    assert.equal(res.status, 404, path);
    await res.body?.cancel();
  }
  assert.equal((await fetch(`${server.baseUrl}/healthz`)).status, 200, 'the UI port keeps the probes');
});

test('an agent port equal to the HTTP port is refused with its name', async () => {
  const r = await runPulltrace(['server', '--http-addr', '127.0.0.1:18080', '--agent-addr', '127.0.0.1:18080', '--kubernetes', 'off']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /PULLTRACE_AGENT_ADDR needs a port of its own/);
});

test("the agent's reporter delivers to the agent port; pointed at the UI port it is refused (404)", async (t) => {
  const delivered: AgentReport[] = [];
  const reporterFor = (serverUrl: string) =>
    new Reporter({ serverUrl, token: '', timeoutMs: 5000, logger: createLogger('silent'), onDelivered: (r) => delivered.push(r) });
  const good = reporterFor(server.agentUrl ?? '');
  const wrong = reporterFor(server.baseUrl);
  t.after(() => Promise.all([good.close(), wrong.close()]));
  wrong.offer({ ...report, nodeName: 'node-wrong' });
  await waitFor(() => wrong.serverDown || undefined, { timeoutMs: 10_000, what: 'the UI port to refuse the report' });
  good.offer({ ...report, nodeName: 'node-real' });
  await waitFor(() => delivered.find((r) => r.nodeName === 'node-real'), { timeoutMs: 10_000, what: 'delivery on the agent port' });
  assert.deepEqual(
    delivered.map((r) => r.nodeName),
    ['node-real'],
  );
  const nodes = (await getJson<{ pulls: Array<{ nodeName: string }> }>(`${server.baseUrl}/api/v1/pulls`)).body.pulls.map((p) => p.nodeName);
  assert.ok(nodes.includes('node-real') && !nodes.includes('node-wrong'));
});
