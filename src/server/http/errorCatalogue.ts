// Every `error` code the API answers with: its HTTP status, when it is sent (docs/api.md lists the
// codes; test/docs checks that it does) and how its message is built from what was refused. Routes
// and hooks name a code and pass the facts; the status and the wording live here only. The agent
// refusals (unauthorized, forbidden, unavailable) carry one fixed sentence: the reason (which
// ServiceAccounts may report, the API server's address, the node a token is bound to) goes to the
// server log only, so an unauthenticated caller learns nothing about the cluster from a refusal.

interface ErrorSpec<A extends unknown[]> {
  status: number;
  /** when the code is sent (for the docs) */
  when: string;
  message: (...args: A) => string;
  /** headers every answer of this code carries */
  headers?: Readonly<Record<string, string>>;
}

// Keeps each entry's own message parameters in the catalogue's type.
const spec = <A extends unknown[]>(s: ErrorSpec<A>): ErrorSpec<A> => s;
const detail = (text: string) => text;

export const API_ERRORS = {
  invalid_request: spec({ status: 400, when: 'a query parameter, path or body that is not what the endpoint takes', message: detail }),
  invalid_json: spec({ status: 400, when: 'a body that is not valid JSON', message: () => 'the body is not valid JSON' }),
  invalid_report: spec({
    status: 400,
    when: 'a report the schema or the limits refuse; the message names the field',
    message: detail,
  }),
  bad_request: spec({
    // Fastify's own status (4xx) is kept; 400 when it gives none
    status: 400,
    when: 'any other request Fastify could not process (4xx)',
    message: () => 'the request could not be processed',
  }),
  unauthorized: spec({
    status: 401,
    when: 'a missing or wrong bearer token on /api/v1/report',
    message: () => "the agent's credentials were not accepted; the server log says why",
    headers: { 'www-authenticate': 'Bearer' },
  }),
  forbidden: spec({
    status: 403,
    when: "a report for another node than the agent token's, or a ServiceAccount not allowed",
    message: () => 'this agent may not send this report; the server log says why',
  }),
  not_found: spec({ status: 404, when: 'an unknown pull id or path', message: detail }),
  method_not_allowed: spec({
    status: 405,
    when: 'a method the path does not take; see the Allow header',
    message: (allowed: readonly string[]) => `use ${allowed.filter((m) => m !== 'HEAD').join(' or ')}`,
  }),
  body_too_large: spec({ status: 413, when: 'a body over 1 MiB', message: () => 'the request body is over 1 MiB' }),
  unsupported_media_type: spec({
    status: 415,
    when: 'a body that is not application/json',
    message: () => 'the body must be application/json',
  }),
  too_many_reports: spec({
    status: 429,
    when: 'reports over PULLTRACE_NODE_REPORT_RATE; see Retry-After',
    message: (waitS: number, nodeName?: string) =>
      nodeName === undefined
        ? `too many reports from this client; retry in ${waitS}s`
        : `node ${nodeName} reports too often; retry in ${waitS}s`,
  }),
  too_many_token_reviews: spec({
    status: 429,
    when: 'unknown agent tokens from one address over PULLTRACE_AGENT_REVIEW_RATE; see Retry-After',
    message: (waitS: number) => `too many unknown agent tokens from this address; retry in ${waitS}s`,
  }),
  too_many_streams: spec({
    status: 429,
    when: 'more than PULLTRACE_MAX_SSE_PER_ADDRESS event streams from one address; see Retry-After',
    message: (max: number) => `at most ${max} event streams per client address (PULLTRACE_MAX_SSE_PER_ADDRESS); close one first`,
  }),
  too_many_nodes: spec({
    status: 429,
    when: 'a client reporting for more than PULLTRACE_MAX_NODES_PER_ADDRESS node names; see Retry-After',
    message: (max: number, nodeName: string) =>
      `this client already reports for ${max} other nodes (PULLTRACE_MAX_NODES_PER_ADDRESS); node ${nodeName} is refused`,
  }),
  too_many_pulls: spec({
    status: 429,
    when: 'a node holding more than PULLTRACE_MAX_PULLS_PER_NODE pulls in the live view; see Retry-After',
    message: detail,
  }),
  host_not_allowed: spec({
    status: 421,
    when: 'a Host header other than localhost, 127.0.0.1, [::1] or PULLTRACE_ALLOWED_HOSTS while the server listens on loopback',
    message: () =>
      'this server listens on loopback only and answers requests for localhost, 127.0.0.1 or [::1]; name other hosts in PULLTRACE_ALLOWED_HOSTS',
  }),
  too_many_reads: spec({
    status: 429,
    when: 'reads (pulls, one pull, history) over PULLTRACE_READ_RATE from one address; see Retry-After',
    message: (waitS: number, perSecond: number, burst: number) =>
      `too many reads from this client (PULLTRACE_READ_RATE ${perSecond}/s, PULLTRACE_READ_BURST ${burst}); retry in ${waitS}s`,
  }),
  capacity: spec({
    status: 503,
    when: 'a server-wide capacity limit (nodes, pulls, event streams); see Retry-After',
    message: detail,
  }),
  unavailable: spec({
    status: 503,
    when: "the agent's identity cannot be checked right now (TokenReview); see Retry-After",
    message: () => "the agent's identity cannot be checked right now; retry later",
  }),
  history_unavailable: spec({
    status: 503,
    when: 'the history database (PostgreSQL) cannot be reached right now; see Retry-After',
    message: () => 'the history database (PostgreSQL) does not answer; try again shortly',
  }),
  internal_error: spec({
    status: 500,
    when: 'the server failed to handle the request',
    message: () => 'the server failed to handle the request',
  }),
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** What each code's message is built from. */
export type ApiErrorArgs<C extends ApiErrorCode> = Parameters<(typeof API_ERRORS)[C]['message']>;

/** code → when it is sent, with its status (the docs' error table lists these codes). */
export const API_ERROR_CODES = Object.fromEntries(
  Object.entries(API_ERRORS).map(([code, s]) => [code, `${s.when} (${s.status})`]),
) as Record<ApiErrorCode, string>;
