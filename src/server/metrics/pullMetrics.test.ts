import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerStatus, PullEvent, PullStatus } from '../../model/index.js';
import { METRIC_NAMES, PullMetrics } from './pullMetrics.js';

const sources = { counts: () => ({ active: 2, stalled: 1 }), agentsConnected: () => 3, sseClients: () => 4 };

function layerEvent(
  node: string,
  pullId: string,
  digest: string,
  downloadedBytes: number,
  type: PullEvent['type'] = 'layer.progress',
): PullEvent {
  return {
    schemaVersion: 'v1',
    timestamp: new Date().toISOString(),
    type,
    nodeName: node,
    layer: { pullId, digest, downloadedBytes, state: 'downloading' } as LayerStatus,
    pull: { id: pullId } as PullStatus,
  };
}

async function value(m: PullMetrics, name: string): Promise<number> {
  // Gauges and counters without labels have exactly one value.
  return (await m.registry.getSingleMetric(name)!.get()).values[0]?.value ?? Number.NaN;
}

test('all nine contract metrics are registered', async () => {
  const m = new PullMetrics(sources);
  const text = await m.registry.metrics();
  for (const name of METRIC_NAMES) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  assert.equal(await value(m, 'pulltrace_pulls_active'), 2);
  assert.equal(await value(m, 'pulltrace_pulls_stalled'), 1);
  assert.equal(await value(m, 'pulltrace_agents_connected'), 3);
  assert.equal(await value(m, 'pulltrace_sse_clients_active'), 4);
});

test('a layer shared by two pulls on one node is counted once in pull_bytes_total', async () => {
  const m = new PullMetrics(sources);
  m.onEvent(layerEvent('w1', 'p1', 'sha256:base', 100));
  m.onEvent(layerEvent('w1', 'p2', 'sha256:base', 100));
  m.onEvent(layerEvent('w1', 'p1', 'sha256:base', 300));
  m.onEvent(layerEvent('w1', 'p2', 'sha256:base', 300, 'layer.completed'));
  m.onEvent(layerEvent('w2', 'p3', 'sha256:base', 50));
  assert.equal(await value(m, 'pulltrace_pull_bytes_total'), 350);
});

test('every failed pull counts once in pull_errors_total (FIX-01)', async () => {
  const m = new PullMetrics(sources);
  for (const id of ['p1', 'p2']) {
    m.onEvent({
      schemaVersion: 'v1',
      timestamp: new Date().toISOString(),
      type: 'pull.failed',
      nodeName: 'w1',
      pull: { id } as PullStatus,
    });
  }
  assert.equal(await value(m, 'pulltrace_pull_errors_total'), 2);
});
