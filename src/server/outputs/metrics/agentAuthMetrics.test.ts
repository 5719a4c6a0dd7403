import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { AGENT_AUTH_METRIC_NAMES, registerAgentAuthMetrics } from './agentAuthMetrics.js';

test('pulltrace_agent_auth_degraded follows the authenticator, 0 for modes without TokenReview', async () => {
  let degraded = false;
  const registry = new Registry();
  registerAgentAuthMetrics(registry, { degraded: () => degraded });
  const text = await registry.metrics();
  for (const name of AGENT_AUTH_METRIC_NAMES) assert.match(text, new RegExp(`^# TYPE ${name} gauge`, 'm'), name);
  assert.match(text, /^pulltrace_agent_auth_degraded 0$/m);
  degraded = true;
  assert.match(await registry.metrics(), /^pulltrace_agent_auth_degraded 1$/m);
  const other = new Registry();
  registerAgentAuthMetrics(other, {});
  assert.match(await other.metrics(), /^pulltrace_agent_auth_degraded 0$/m);
});
