// What a refused agent is told: the status, code and headers of the refusal, with one fixed
// sentence per code. The reason (which ServiceAccounts may report, the API server's address in a
// TokenReview failure, the node a token is bound to) goes to the server log only: an
// unauthenticated caller learns nothing about the cluster from a refusal.
import { ApiError, type ApiErrorCode } from '../http/apiError.js';

export const PUBLIC_AUTH_MESSAGES: Partial<Record<ApiErrorCode, string>> = {
  unauthorized: "the agent's credentials were not accepted; the server log says why",
  forbidden: 'this agent may not send this report; the server log says why',
  unavailable: "the agent's identity cannot be checked right now; retry later",
};

/** `err` with its message replaced by the fixed sentence of its code (errors of other codes unchanged). */
export function publicAuthError(err: ApiError): ApiError {
  const message = PUBLIC_AUTH_MESSAGES[err.code];
  return message === undefined ? err : new ApiError(err.statusCode, err.code, message, err.headers);
}
