// The agent's memory request must cover what it uses, or the scheduler packs nodes on a figure
// below the agent's real footprint. `npm run bench:agent` measured RSS up to 75.4 MB pulling
// without V8 flags (docs/capacity.md, agent section).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type K8sObject, oneOfKind, renderChart } from './helm.js';

const MEASURED_RSS_MAX_BYTES = 75.4e6;

function bytes(quantity: string): number {
  const m = /^(\d+)(Mi|Gi|M|G)?$/.exec(quantity);
  assert.ok(m, `memory quantity ${quantity}`);
  const unit = { Mi: 2 ** 20, Gi: 2 ** 30, M: 1e6, G: 1e9 }[m[2] as 'Mi' | 'Gi' | 'M' | 'G'] ?? 1;
  return Number(m[1]) * unit;
}

test('the agent memory request covers its measured RSS, and the limit leaves room above it', () => {
  const container = oneOfKind(renderChart(), 'DaemonSet').spec.template.spec.containers[0] as K8sObject;
  const request = bytes(container.resources.requests.memory);
  const limit = bytes(container.resources.limits.memory);
  assert.ok(request >= MEASURED_RSS_MAX_BYTES, `request ${container.resources.requests.memory} is below the measured 75.4 MB`);
  assert.ok(limit >= 2 * request, `limit ${container.resources.limits.memory} leaves too little room over the request`);
});
