// The report log metrics follow the log's own counts and state at each scrape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { REPORT_LOG_METRIC_NAMES, registerReportLogMetrics } from './reportLogMetrics.js';

async function value(registry: Registry, name: string): Promise<number> {
  return (await registry.getSingleMetric(name)?.get())?.values[0]?.value ?? Number.NaN;
}

test('published and applied reports, connection, lag and shared timers, as the log counts them', async () => {
  const registry = new Registry();
  const log = { counts: { published: 0, applied: 0, pending: 0 }, isConnected: true, timersShared: true };
  registerReportLogMetrics(registry, log);
  const text = await registry.metrics();
  for (const name of REPORT_LOG_METRIC_NAMES) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);

  const steps: Array<[typeof log, Record<(typeof REPORT_LOG_METRIC_NAMES)[number], number>]> = [
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
