// Metrics of the shared report log (PULLTRACE_BUS=nats://…), registered only when it is set:
// reports this replica appended and reports it applied from the log, whether NATS is connected,
// how many messages of the log it has yet to apply, whether its timers follow the log's ticks, and
// the messages it skipped, by reason (the only label: a fixed list, LOG_REJECT_REASONS).
// Read from the log at scrape time.
import { Counter, Gauge, type Registry } from 'prom-client';
import { LOG_REJECT_REASONS, type LogRejectReason } from '../../replication/logMessage.js';
import { monotonicCounter } from './monotonicCounter.js';

export const REPORT_LOG_METRIC_NAMES = [
  'pulltrace_report_log_published_total',
  'pulltrace_report_log_applied_total',
  'pulltrace_report_log_connected',
  'pulltrace_report_log_lag_messages',
  'pulltrace_report_log_timers_shared',
  'pulltrace_report_log_rejected_total',
] as const;

export interface ReportLogSource {
  readonly counts: { published: number; applied: number; pending: number };
  readonly isConnected: boolean;
  /** whether stall and node timeouts currently follow the log's ticks */
  readonly timersShared: boolean;
  /** messages skipped since start, by reason (logMessage.ts) */
  rejectedCounts(): ReadonlyMap<LogRejectReason, number>;
}

export function registerReportLogMetrics(registry: Registry, log: ReportLogSource): void {
  const registers = [registry];
  new Counter({
    name: 'pulltrace_report_log_published_total',
    help: 'Agent reports this replica appended to the shared report log.',
    registers,
    collect: monotonicCounter(() => log.counts.published),
  });
  new Counter({
    name: 'pulltrace_report_log_applied_total',
    help: "Reports from the shared report log applied here (every replica's, this one's included).",
    registers,
    collect: monotonicCounter(() => log.counts.applied),
  });
  new Gauge({
    name: 'pulltrace_report_log_connected',
    help: '1 while this replica is connected to NATS, else 0 (reports are then applied here only).',
    registers,
    collect() {
      this.set(log.isConnected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'pulltrace_report_log_lag_messages',
    help: 'Messages of the shared report log not yet applied here, as of the last one applied.',
    registers,
    collect() {
      this.set(log.counts.pending);
    },
  });
  new Gauge({
    name: 'pulltrace_report_log_timers_shared',
    help: "1 while stall and node timeouts follow the shared log's ticks (the same on every replica); 0 while this replica's clock decides them.",
    registers,
    collect() {
      this.set(log.timersShared ? 1 : 0);
    },
  });
  const counted = new Map<LogRejectReason, number>();
  const rejected = new Counter({
    name: 'pulltrace_report_log_rejected_total',
    help: 'Messages of the shared report log skipped, nothing applied, by reason (schema, time, node_mismatch, …; see docs/metrics.md).',
    labelNames: ['reason'],
    registers,
    collect() {
      for (const [reason, total] of log.rejectedCounts()) {
        const grown = total - (counted.get(reason) ?? 0);
        if (grown > 0) this.inc({ reason }, grown);
        counted.set(reason, Math.max(total, counted.get(reason) ?? 0));
      }
    },
  });
  // Every reason exists from the start, so rate() and alerts see a 0 before the first skip.
  for (const reason of LOG_REJECT_REASONS) rejected.inc({ reason }, 0);
}
