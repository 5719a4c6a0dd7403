// Every API error is JSON {error, message}; messages describe what was wrong without echoing
// the request back. The `error` codes are one catalogue, API_ERROR_CODES (docs/api.md lists it;
// test/docs checks that it does).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../log/index.js';
import { PRINTABLE_PATTERN } from '../../model/index.js';

/** Every `error` code the API answers with, and when. */
export const API_ERROR_CODES = {
  invalid_request: 'a query parameter, path or body that is not what the endpoint takes (400)',
  invalid_json: 'a body that is not valid JSON (400)',
  invalid_report: 'a report the schema or the limits refuse; the message names the field (400)',
  bad_request: 'any other request Fastify could not process (4xx)',
  unauthorized: 'a missing or wrong bearer token on /api/v1/report (401)',
  forbidden: "a report for another node than the agent token's, or a ServiceAccount not allowed (403)",
  not_found: 'an unknown pull id or path (404)',
  method_not_allowed: 'a method the path does not take; see the Allow header (405)',
  body_too_large: 'a body over 1 MiB (413)',
  unsupported_media_type: 'a body that is not application/json (415)',
  too_many_reports: 'reports over PULLTRACE_NODE_REPORT_RATE; see Retry-After (429)',
  too_many_token_reviews: 'unknown agent tokens from one address over PULLTRACE_AGENT_REVIEW_RATE; see Retry-After (429)',
  too_many_streams: 'more than PULLTRACE_MAX_SSE_PER_ADDRESS event streams from one address; see Retry-After (429)',
  too_many_nodes: 'a client reporting for more than PULLTRACE_MAX_NODES_PER_ADDRESS node names; see Retry-After (429)',
  too_many_pulls: 'a node holding more than PULLTRACE_MAX_PULLS_PER_NODE pulls in the live view; see Retry-After (429)',
  host_not_allowed:
    'a Host header other than localhost, 127.0.0.1, [::1] or PULLTRACE_ALLOWED_HOSTS while the server listens on loopback (421)',
  too_many_reads: 'reads (pulls, one pull, history) over PULLTRACE_READ_RATE from one address; see Retry-After (429)',
  capacity: 'a server-wide capacity limit (nodes, pulls, event streams); see Retry-After (503)',
  unavailable: "the agent's identity cannot be checked right now (TokenReview); see Retry-After (503)",
  history_unavailable: 'the history database (PostgreSQL) cannot be reached right now; see Retry-After (503)',
  internal_error: 'the server failed to handle the request (500)',
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_CODES;

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendError(reply: FastifyReply, status: number, code: ApiErrorCode, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: code, message });
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** `/pulls/2/layers/0/totalBytes` → `pulls[2].layers[0].totalBytes` */
export function fieldPath(instancePath: string, prefix = ''): string {
  let out = prefix;
  for (const part of instancePath.split('/').slice(1)) {
    const p = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  }
  return out;
}

/** A person-readable sentence for the first schema violation. */
export function describeValidationError(err: AjvError, root: string): string {
  const base = fieldPath(err.instancePath);
  switch (err.keyword) {
    case 'required':
      return `${base ? `${base}.` : ''}${String(err.params.missingProperty)} is required`;
    case 'additionalProperties':
      return `${base ? `${base}: ` : ''}unknown ${root === 'query' ? 'query parameter' : 'field'} "${String(err.params.additionalProperty)}"`;
    case 'pattern':
      if (base === 'nodeName') return 'nodeName must be a DNS-1123 subdomain (lowercase letters, digits, "-" and "."; e.g. worker-1)';
      if (err.params.pattern === PRINTABLE_PATTERN) return `${base} must not contain control characters (U+0000–U+001F, U+007F–U+009F)`;
      return `${base} has an invalid format`;
    case 'enum':
      return `${base} must be one of ${(err.params.allowedValues as string[]).join(', ')}`;
    case 'type':
      return `${base || 'the body'} must be ${articled(String(err.params.type))}`;
    case 'minimum':
      return `${base} must be >= ${String(err.params.limit)}`;
    case 'maximum':
      return `${base} must be <= ${String(err.params.limit)}`;
    case 'maxItems':
      return `${base} must have at most ${String(err.params.limit)} entries`;
    case 'maxLength':
      return `${base} must be at most ${String(err.params.limit)} characters`;
    case 'minLength':
      return `${base} must not be empty`;
    default:
      return `${base || 'the body'} ${err.message ?? 'is invalid'}`;
  }
}

function articled(type: string): string {
  if (type === 'integer') return 'a whole number';
  if (type === 'array') return 'an array';
  if (type === 'object') return 'an object';
  return `a ${type}`;
}

/** Maps Fastify's and our errors to the contract's JSON errors. */
export function handleError(err: FastifyError | ApiError, req: FastifyRequest, reply: FastifyReply, logger: Logger): FastifyReply {
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
    return sendError(reply, err.statusCode, err.code, err.message);
  }
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe.validation && fe.validation.length > 0) {
    const context = fe.validationContext ?? 'body';
    const code = req.url.startsWith('/api/v1/report') ? 'invalid_report' : 'invalid_request';
    return sendError(reply, 400, code, describeValidationError(fe.validation[0] as AjvError, context));
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendError(reply, 413, 'body_too_large', 'the request body is over 1 MiB');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return sendError(reply, 415, 'unsupported_media_type', 'the body must be application/json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return sendError(reply, 400, 'invalid_json', 'the body is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return sendError(reply, 400, 'invalid_request', 'the body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return sendError(reply, 400, 'invalid_request', 'the Content-Length header does not match the body');
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)
    return sendError(reply, fe.statusCode, 'bad_request', 'the request could not be processed');
  logger.error({ err, method: req.method, route: req.routeOptions.url }, 'request failed');
  return sendError(reply, 500, 'internal_error', 'the server failed to handle the request');
}
