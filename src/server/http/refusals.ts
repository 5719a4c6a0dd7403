// Domain refusals (agent identity, report admission, the tracker's caps) as API errors: the one
// place that says which status and code each refusal is answered with.
import type { AuthRefusal, AuthRefusalKind } from '../auth/authRefusal.js';
import type { AdmissionRefusal } from '../ingest/reportAdmission.js';
import type { CapacityError } from '../tracker/pullTracker.js';
import { type ApiError, apiError } from './apiError.js';

const AUTH_CODES = {
  unauthenticated: 'unauthorized',
  forbidden: 'forbidden',
  unavailable: 'unavailable',
  reviewRate: 'too_many_token_reviews',
} as const satisfies Record<AuthRefusalKind, string>;

/** An agent refusal: its code's fixed sentence (the reason stays in the server log), and when to retry. */
export function authRefusalError(refusal: AuthRefusal): ApiError {
  const code = AUTH_CODES[refusal.kind];
  const err = code === 'too_many_token_reviews' ? apiError(code, refusal.retryAfterS ?? 1) : apiError(code);
  return refusal.retryAfterS === undefined ? err : err.retryAfter(refusal.retryAfterS);
}

/** A report over its client's or its node's allowance (429). */
export function admissionRefusalError(refusal: AdmissionRefusal): ApiError {
  switch (refusal.kind) {
    case 'requesterRate':
      return apiError('too_many_reports', refusal.retryAfterS).retryAfter(refusal.retryAfterS);
    case 'nodeRate':
      return apiError('too_many_reports', refusal.retryAfterS, refusal.nodeName).retryAfter(refusal.retryAfterS);
    case 'nodeNames':
      return apiError('too_many_nodes', refusal.maxNodes, refusal.nodeName).retryAfter(refusal.retryAfterS);
  }
}

/** Seconds a client waits after the tracker's caps refused its report. */
const CAPACITY_RETRY_AFTER_S = 30;

/**
 * A node over its own allowance is the client's doing (429); the server's shared caps being full
 * is the server's (503). Both say when to try again.
 */
export function capacityRefusalError(err: CapacityError): ApiError {
  const code = err.what === 'pullsPerNode' ? 'too_many_pulls' : 'capacity';
  return apiError(code, err.message).retryAfter(CAPACITY_RETRY_AFTER_S);
}
