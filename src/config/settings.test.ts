import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { defaultDbPath, resolveSettings, SETTINGS, SettingError } from './settings.js';

test('each setting has one property, one env var and one flag', () => {
  for (const field of ['key', 'env', 'flag'] as const) {
    const values = SETTINGS.map((s) => s[field]);
    assert.equal(new Set(values).size, values.length, `${field} repeated`);
  }
});

test('computed defaults: history file, node name, agent auth mode from the token', () => {
  const table: Array<{ env: Record<string, string>; agentAuth: string }> = [
    { env: {}, agentAuth: 'none' },
    { env: { PULLTRACE_AGENT_TOKEN: 's3cret' }, agentAuth: 'token' },
    { env: { PULLTRACE_AGENT_TOKEN: 's3cret', PULLTRACE_AGENT_AUTH: '' }, agentAuth: 'token' },
    { env: { PULLTRACE_AGENT_TOKEN: 's3cret', PULLTRACE_AGENT_AUTH: 'none' }, agentAuth: 'none' },
  ];
  for (const row of table) {
    const server = resolveSettings('server', {}, row.env);
    assert.equal(server.agentAuth, row.agentAuth, JSON.stringify(row.env));
    assert.equal(server.db, defaultDbPath());
  }
  const agent = resolveSettings('agent', { 'server-url': 'http://pulltrace:8080' }, {});
  assert.equal(agent.nodeName, hostname().toLowerCase());
  assert.equal(typeof agent.reportIntervalMs, 'number');
});

test('a combination that cannot work is refused, naming the settings', () => {
  assert.throws(
    () => resolveSettings('server', {}, { PULLTRACE_AGENT_AUTH: 'token' }),
    (e: Error) => e instanceof SettingError && /PULLTRACE_AGENT_TOKEN/.test(e.message),
  );
  assert.throws(() => resolveSettings('agent', {}, {}), /PULLTRACE_SERVER_URL \/ --server-url is required/);
});
