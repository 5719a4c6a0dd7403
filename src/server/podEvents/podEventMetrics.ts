// pulltrace_pod_events_written_total and pulltrace_pod_events_dropped_total{reason}: what the pod
// Event writer cost the API server and what it left out. Registered in every mode (0 when off).
import { Counter, type Registry } from 'prom-client';

export const POD_EVENT_METRIC_NAMES = ['pulltrace_pod_events_written_total', 'pulltrace_pod_events_dropped_total'] as const;

/**
 * superseded: a newer milestone of the same Event replaced one still waiting for the rate budget;
 * queue_full: too many Events waited already; rate_limited: the API server kept answering 429;
 * api_error: refused or failed for another reason (RBAC, validation, no answer);
 * not_leader: this replica lost the lease with writes still waiting; pod_gone: the pod is no longer known
 */
export const POD_EVENT_DROP_REASONS = ['superseded', 'queue_full', 'rate_limited', 'api_error', 'not_leader', 'pod_gone'] as const;
export type PodEventDrop = (typeof POD_EVENT_DROP_REASONS)[number];

export interface PodEventMetrics {
  written(): void;
  dropped(reason: PodEventDrop, n?: number): void;
}

export function registerPodEventMetrics(registry: Registry): PodEventMetrics {
  const written = new Counter({
    name: 'pulltrace_pod_events_written_total',
    help: 'Writes (create or update) of PullProgress Events on pods that the API server accepted.',
    registers: [registry],
  });
  const dropped = new Counter<'reason'>({
    name: 'pulltrace_pod_events_dropped_total',
    help: 'PullProgress Event writes left out, by reason: superseded, queue_full, rate_limited, api_error, not_leader, pod_gone.',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of POD_EVENT_DROP_REASONS) dropped.inc({ reason }, 0);
  return {
    written: () => written.inc(),
    dropped: (reason, n = 1) => {
      if (n > 0) dropped.inc({ reason }, n);
    },
  };
}
