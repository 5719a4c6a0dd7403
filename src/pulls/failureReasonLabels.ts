// The words people see for each failure kind, in the web UI and the terminal alike. A Record over
// the model's type, so a kind added there fails the typecheck until it is named here too.
import type { FailureReason } from '../model/index.js';

export const FAILURE_REASON_LABELS: Record<FailureReason, string> = {
  auth: 'denied',
  not_found: 'not found',
  rate_limited: 'rate-limited',
  network: 'network',
  tls: 'TLS',
  timeout: 'timeout',
  registry_error: 'registry error',
  no_space: 'disk full',
  invalid_reference: 'bad name',
  cancelled: 'cancelled',
  agent_lost: 'agent lost',
  unknown: 'unknown',
};

export const FAILURE_REASONS = Object.keys(FAILURE_REASON_LABELS) as FailureReason[];

/** The label of a failure kind; a kind this code does not know (a newer server) is shown as sent. */
export function failureReasonLabel(reason: string): string {
  return Object.hasOwn(FAILURE_REASON_LABELS, reason) ? FAILURE_REASON_LABELS[reason as FailureReason] : reason;
}
