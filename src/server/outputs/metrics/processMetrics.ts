// Node's standard process metrics (CPU, memory, file descriptors, event loop lag, GC, heap) on the
// server's registry, under prom-client's usual names (`process_*`, `nodejs_*`), so the dashboards
// people already have for Node services work unchanged.
import { collectDefaultMetrics, type Registry } from 'prom-client';

export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
}
