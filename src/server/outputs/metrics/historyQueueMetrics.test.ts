// The history queue metrics follow the store's queue: the gauge goes up and down with it, the
// dropped counter only up, by what was dropped since the last scrape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { HISTORY_QUEUE_METRIC_NAMES, registerHistoryQueueMetrics } from './historyQueueMetrics.js';

async function value(registry: Registry, name: string): Promise<number> {
  return (await registry.getSingleMetric(name)?.get())?.values[0]?.value ?? Number.NaN;
}

test('queue depth and dropped pulls, as the store counts them, at each scrape', async () => {
  const registry = new Registry();
  const state = { queued: 0, dropped: 0, refused: 0 };
  registerHistoryQueueMetrics(registry, { queueState: () => ({ ...state }) });
  const text = await registry.metrics();
  for (const name of HISTORY_QUEUE_METRIC_NAMES) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  assert.equal(await value(registry, 'pulltrace_history_queue_pulls'), 0);
  assert.equal(await value(registry, 'pulltrace_history_queue_dropped_total'), 0);

  const steps: Array<[number, number, number, number]> = [
    // queued, dropped (store) → gauge, counter (scraped)
    [6, 0, 6, 0],
    [10_000, 6, 10_000, 6],
    [10_000, 9, 10_000, 9],
    [0, 9, 0, 9],
  ];
  for (const [queued, dropped, gauge, counter] of steps) {
    state.queued = queued;
    state.dropped = dropped;
    assert.equal(await value(registry, 'pulltrace_history_queue_pulls'), gauge, `queued ${queued}`);
    assert.equal(await value(registry, 'pulltrace_history_queue_dropped_total'), counter, `dropped ${dropped}`);
  }
  assert.equal(await value(registry, 'pulltrace_history_refused_total'), 0);
  state.refused = 2;
  assert.equal(await value(registry, 'pulltrace_history_refused_total'), 2, 'refused rows follow the store');
});
