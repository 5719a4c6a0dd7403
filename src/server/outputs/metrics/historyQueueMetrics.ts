// Metrics of the history write queue: finished pulls waiting to be written (the SQLite batch, or
// PostgreSQL's outage queue) and those dropped because that queue was full while PostgreSQL was
// unreachable, and those the database refused (a malformed row, dropped alone). Read from the store
// at scrape time; no labels.
import { Counter, Gauge, type Registry } from 'prom-client';
import { monotonicCounter } from './monotonicCounter.js';

export const HISTORY_QUEUE_METRIC_NAMES = [
  'pulltrace_history_queue_pulls',
  'pulltrace_history_queue_dropped_total',
  'pulltrace_history_refused_total',
] as const;

export interface HistoryQueueSource {
  /** finished pulls waiting to be written, and those dropped from a full queue since start */
  queueState(): { queued: number; dropped: number; refused: number };
}

export function registerHistoryQueueMetrics(registry: Registry, source: HistoryQueueSource): void {
  const registers = [registry];
  new Gauge({
    name: 'pulltrace_history_queue_pulls',
    help: 'Finished pulls waiting to be written to the history (grows while PostgreSQL is unreachable).',
    registers,
    collect() {
      this.set(source.queueState().queued);
    },
  });
  new Counter({
    name: 'pulltrace_history_queue_dropped_total',
    help: 'Finished pulls dropped from the full history queue while PostgreSQL was unreachable.',
    registers,
    collect: monotonicCounter(() => source.queueState().dropped),
  });
  new Counter({
    name: 'pulltrace_history_refused_total',
    help: 'Finished pulls the history database refused to store (a malformed row), dropped alone: the rest of their batch was written.',
    registers,
    collect: monotonicCounter(() => source.queueState().refused),
  });
}
