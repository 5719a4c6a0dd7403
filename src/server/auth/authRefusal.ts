// Why an agent is refused, in the domain's words; the HTTP layer turns each kind into a status,
// code and public sentence (src/server/http/refusals.ts). The message is the reason, for the log.

export type AuthRefusalKind =
  /** no token, a wrong one, or one TokenReview did not authenticate */
  | 'unauthenticated'
  /** a known sender that may not send this (ServiceAccount not allowed, another node's report) */
  | 'forbidden'
  /** the sender's identity cannot be checked right now (TokenReview down or too busy) */
  | 'unavailable'
  /** too many unknown tokens from one address (PULLTRACE_AGENT_REVIEW_RATE) */
  | 'reviewRate';

export class AuthRefusal extends Error {
  constructor(
    readonly kind: AuthRefusalKind,
    reason: string,
    /** when the sender may try again */
    readonly retryAfterS?: number,
  ) {
    super(reason);
  }
}
