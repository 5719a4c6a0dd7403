// GET /api/v1/agents through app.inject: empty before any agent, each node with what it runs once
// it reported, silent once it stopped, and a clear 400 for a query parameter it does not take.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentList, AgentReport } from '../../../model/index.js';
import { buildApiApp } from '../apiAppFixture.js';

const json = { 'content-type': 'application/json' };
const report = (nodeName: string, agent?: AgentReport['agent']): AgentReport => ({ nodeName, pulls: [], ...(agent ? { agent } : {}) });

test('agents: none at first; each node once it reported, with what it runs; silent once it stopped', async (t) => {
  let clock = Date.parse('2026-12-07T10:00:00Z');
  const api = await buildApiApp({ now: () => clock });
  t.after(() => api.close());
  const agents = async () => ((await api.app.inject({ url: '/api/v1/agents' })).json() as AgentList).agents;

  assert.deepEqual(await agents(), [], 'no agent has reported yet: an empty list, not an idle cluster');

  const post = (r: AgentReport) => api.app.inject({ method: 'POST', url: '/api/v1/report', headers: json, payload: r });
  assert.equal((await post(report('worker-b', { version: '0.1.0', runtime: 'containerd', runtimeVersion: '1.7.24' }))).statusCode, 200);
  assert.equal((await post(report('worker-a'))).statusCode, 200);
  assert.deepEqual(await agents(), [
    { nodeName: 'worker-a', cluster: 'default', lastReportAt: '2026-12-07T10:00:00.000Z', state: 'reporting' },
    {
      nodeName: 'worker-b',
      cluster: 'default',
      lastReportAt: '2026-12-07T10:00:00.000Z',
      state: 'reporting',
      agentVersion: '0.1.0',
      runtime: 'containerd',
      runtimeVersion: '1.7.24',
    },
  ]);

  clock += 2_000;
  assert.equal((await post(report('worker-a'))).statusCode, 200);
  clock += 5_000; // worker-b: 7 s without a report (more than 3 × 1 s); worker-a: 5 s after a 2 s interval
  const later = await agents();
  assert.deepEqual(
    later.map((a) => [a.nodeName, a.state]),
    [
      ['worker-a', 'reporting'],
      ['worker-b', 'silent'],
    ],
  );
  assert.equal(later[1]?.runtime, 'containerd', 'a silent agent keeps what it last said it runs');
});

test('agents: a query parameter it does not take is a 400 naming it', async (t) => {
  const api = await buildApiApp();
  t.after(() => api.close());
  const res = await api.app.inject({ url: '/api/v1/agents?node=x' });
  assert.equal(res.statusCode, 400);
  assert.match((res.json() as { message: string }).message, /unknown query parameter "node" \(this endpoint takes none\)/);
});
