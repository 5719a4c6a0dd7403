// The failure kinds of the model, with the words the UI shows for them. A Record over the model's
// type, so a kind added there fails the web typecheck until it is named here too.
import type { FailureReason } from '../../../src/model/index.js';

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
