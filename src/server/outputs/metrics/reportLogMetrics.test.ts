// The report log metrics follow the log's own counts and state at each scrape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import type { LogRejectReason } from '../../replication/logMessage.js';
import { REPORT_LOG_METRIC_NAMES, registerReportLogMetrics } from './reportLogMetrics.js';

async function value(registry: Registry, name: string): Promise<number> {
  return (await registry.getSingleMetric(name)?.get())?.values[0]?.value ?? Number.NaN;
}

test('published and applied reports, connection, lag and shared timers, as the log counts them', async () => {
  const registry = new Registry();
  const log = { counts: { published: 0, applied: 0, pending: 0 }, isConnected: true, timersShared: true, rejectedCounts: () => new Map() };
  registerReportLogMetrics(registry, log);
  const text = await registry.metrics();
  for (const name of REPORT_LOG_METRIC_NAMES) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);

  type Unlabelled = Exclude<(typeof REPORT_LOG_METRIC_NAMES)[number], 'pulltrace_report_log_rejected_total'>;
  const steps: Array<[Omit<typeof log, 'rejectedCounts'>, Record<Unlabelled, number>]> = [
    [
      { counts: { published: 3, applied: 5, pending: 2 }, isConnected: true, timersShared: true },
      {
        pulltrace_report_log_published_total: 3,
        pulltrace_report_log_applied_total: 5,
        pulltrace_report_log_connected: 1,
        pulltrace_report_log_lag_messages: 2,
        pulltrace_report_log_timers_shared: 1,
      },
    ],
    [
      { counts: { published: 3, applied: 5, pending: 0 }, isConnected: false, timersShared: false },
      {
        pulltrace_report_log_published_total: 3,
        pulltrace_report_log_applied_total: 5,
        pulltrace_report_log_connected: 0,
        pulltrace_report_log_lag_messages: 0,
        pulltrace_report_log_timers_shared: 0,
      },
    ],
    [
      { counts: { published: 10, applied: 12, pending: 0 }, isConnected: true, timersShared: true },
      {
        pulltrace_report_log_published_total: 10,
        pulltrace_report_log_applied_total: 12,
        pulltrace_report_log_connected: 1,
        pulltrace_report_log_lag_messages: 0,
        pulltrace_report_log_timers_shared: 1,
      },
    ],
  ];
  for (const [state, want] of steps) {
    Object.assign(log, state);
    for (const [name, v] of Object.entries(want)) assert.equal(await value(registry, name), v, `${name} ${JSON.stringify(state)}`);
  }
});

test("skipped messages by reason: every reason shown from the start, each following the log's count", async () => {
  const registry = new Registry();
  const counts = new Map<LogRejectReason, number>();
  registerReportLogMetrics(registry, {
    counts: { published: 0, applied: 0, pending: 0 },
    isConnected: true,
    timersShared: true,
    rejectedCounts: () => counts,
  });
  const byReason = async () => {
    const values = (await registry.getSingleMetric('pulltrace_report_log_rejected_total')?.get())?.values ?? [];
    return Object.fromEntries(values.map((v) => [String(v.labels.reason), v.value]));
  };
  const first = await byReason();
  assert.equal(first.schema, 0);
  assert.equal(first.node_mismatch, 0);
  assert.equal(Object.keys(first).length, 12, 'one series per reason, no more');
  counts.set('schema', 3);
  counts.set('time', 1);
  assert.deepEqual([(await byReason()).schema, (await byReason()).time], [3, 1]);
  counts.set('schema', 5);
  const later = await byReason();
  assert.equal(later.schema, 5);
  assert.equal(later.time, 1);
  assert.equal(later.capacity, 0);
});
