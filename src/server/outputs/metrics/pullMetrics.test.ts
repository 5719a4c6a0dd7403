import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerStatus, PullEvent, PullStatus } from '../../../model/index.js';
import { METRIC_NAMES, PullMetrics } from './pullMetrics.js';

const sources = { counts: () => ({ active: 2, stalled: 1, slow: 5 }), agentsConnected: () => 3, sseClients: () => 4 };

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

async function byLabel(m: PullMetrics, name: string, label: string): Promise<Map<string, number>> {
  const values = (await m.registry.getSingleMetric(name)!.get()).values;
  return new Map(values.map((v) => [String(v.labels[label]), v.value]));
}

async function histogram(m: PullMetrics, name: string): Promise<{ count: number; sum: number }> {
  const values = (await m.registry.getSingleMetric(name)!.get()).values;
  const pick = (suffix: string) =>
    values.find((v) => (v as { metricName?: string }).metricName === `${name}_${suffix}`)?.value ?? Number.NaN;
  return { count: pick('count'), sum: pick('sum') };
}

test('all contract metrics are registered', async () => {
  const m = new PullMetrics(sources);
  const text = await m.registry.metrics();
  for (const name of METRIC_NAMES) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  assert.equal(await value(m, 'pulltrace_pulls_active'), 2);
  assert.equal(await value(m, 'pulltrace_pulls_stalled'), 1);
  assert.equal(await value(m, 'pulltrace_agents_connected'), 3);
  assert.equal(await value(m, 'pulltrace_sse_clients_active'), 4);
  assert.equal(await value(m, 'pulltrace_pulls_slow'), 5);
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
  const counts = await byLabel(m, 'pulltrace_pull_errors_total', 'reason');
  assert.equal(
    [...counts.values()].reduce((a, b) => a + b, 0),
    2,
  );
  assert.equal(counts.get('unknown'), 2, 'a failure without a reason counts as unknown');
});

test('pull_errors_total is labelled by failure reason; every reason exists from the start (bounded label)', async () => {
  const m = new PullMetrics(sources);
  const failed = (id: string, failureReason: PullStatus['failureReason']): PullEvent => ({
    schemaVersion: 'v1',
    timestamp: new Date().toISOString(),
    type: 'pull.failed',
    nodeName: 'w1',
    pull: { id, failureReason } as PullStatus,
  });
  m.onEvent(failed('a', 'rate_limited'));
  m.onEvent(failed('b', 'rate_limited'));
  m.onEvent(failed('c', 'not_found'));
  const counts = await byLabel(m, 'pulltrace_pull_errors_total', 'reason');
  assert.equal(counts.size, 12);
  assert.equal(counts.get('rate_limited'), 2);
  assert.equal(counts.get('not_found'), 1);
  assert.equal(counts.get('auth'), 0);
});

test('unpack duration and queue wait: observed from the completed pull, wait once per pull', async () => {
  const m = new PullMetrics(sources);
  const pull = {
    id: 'p1',
    startedAt: '2026-11-28T10:00:00.000Z',
    unpackStartedAt: '2026-11-28T10:00:20.000Z',
    completedAt: '2026-11-28T10:00:25.000Z',
    waitSeconds: 3,
  } as PullStatus;
  m.onEvent({ schemaVersion: 'v1', timestamp: pull.completedAt as string, type: 'pull.completed', nodeName: 'w1', pull });
  assert.deepEqual(await histogram(m, 'pulltrace_pull_unpack_duration_seconds'), { count: 1, sum: 5 });
  assert.deepEqual(await histogram(m, 'pulltrace_pull_duration_seconds'), { count: 1, sum: 25 });
  const progress = (p: PullStatus) =>
    m.onEvent({ schemaVersion: 'v1', timestamp: p.completedAt as string, type: 'pull.progress', nodeName: 'w1', pull: p });
  progress(pull);
  progress({ ...pull, id: 'p2', waitSeconds: 7 });
  assert.deepEqual(await histogram(m, 'pulltrace_pull_wait_seconds'), { count: 2, sum: 10 });
});

test('a shared layer carries no bytes of its own: the owner counts them', async () => {
  const m = new PullMetrics(sources);
  const shared = layerEvent('w1', 'p2', 'sha256:base', 300);
  (shared.layer as LayerStatus).state = 'shared';
  m.onEvent(shared);
  assert.equal(await value(m, 'pulltrace_pull_bytes_total'), 0);
  m.onEvent(layerEvent('w1', 'p1', 'sha256:base', 300));
  assert.equal(await value(m, 'pulltrace_pull_bytes_total'), 300);
});

test('a malformed pull adds no label value and breaks no metric: what it carries that is no count is left out', async () => {
  const m = new PullMetrics(sources);
  const at = new Date().toISOString();
  const malformed = (type: PullEvent['type'], pull: Record<string, unknown>, layer?: Record<string, unknown>): PullEvent =>
    ({
      schemaVersion: 'v1',
      timestamp: at,
      type,
      nodeName: 'n1',
      pull: pull as unknown as PullStatus,
      ...(layer ? { layer } : {}),
    }) as PullEvent;
  const events = [
    malformed('pull.failed', { id: 'a', failureReason: 'forged-reason-1' }),
    malformed('pull.failed', { id: 'b', failureReason: { toString: 1 } }),
    malformed('pull.completed', { id: 'c', startedAt: 12345, completedAt: at, waitSeconds: 'long', layers: 'many' }),
    malformed('pull.completed', { id: 'd', startedAt: 'yesterday', completedAt: at, unpackStartedAt: null, layers: [] }),
    malformed('pull.progress', { id: 'e', waitSeconds: Number.NaN }),
    malformed('layer.progress', { id: 'f' }, { digest: 'sha256:x', downloadedBytes: '1000', state: 'downloading' }),
    malformed('layer.progress', { id: 'g' }, { digest: 'sha256:y', downloadedBytes: -5, state: 'downloading' }),
  ];
  for (const e of events) assert.doesNotThrow(() => m.onEvent(e), e.type);
  m.onEvent(layerEvent('n1', 'h', 'sha256:z', 700));

  const errors = await byLabel(m, 'pulltrace_pull_errors_total', 'reason');
  assert.ok(!errors.has('forged-reason-1') && !errors.has('[object Object]'), [...errors.keys()].join(', '));
  assert.equal(errors.get('unknown'), 2);
  assert.equal((await histogram(m, 'pulltrace_pull_duration_seconds')).count, 0);
  assert.equal((await histogram(m, 'pulltrace_pull_wait_seconds')).count, 0);
  assert.equal(await value(m, 'pulltrace_pull_bytes_total'), 700, 'only the real layer counts');
  assert.match(await m.registry.metrics(), /pulltrace_pull_bytes_total 700/, 'the scrape still answers');
});
