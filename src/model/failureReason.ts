import type { Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';

/** Kinds of pull failure, a fixed list so dashboards, alerts and the metric label stay bounded. */
export const FAILURE_REASONS = [
  'auth',
  'not_found',
  'rate_limited',
  'network',
  'tls',
  'timeout',
  'registry_error',
  'no_space',
  'invalid_reference',
  'cancelled',
  'agent_lost',
  'unknown',
] as const;

export const FailureReasonSchema = StringEnum([...FAILURE_REASONS], {
  description:
    'auth: denied (401/403); not_found: no such image/tag; rate_limited: 429; network: connection refused/reset, DNS; tls: certificate errors; timeout: no progress or deadline; registry_error: registry 5xx; no_space: node disk full; invalid_reference: the image name does not parse; cancelled: the caller gave up; agent_lost: the agent stopped reporting; unknown',
});
export type FailureReason = Static<typeof FailureReasonSchema>;
