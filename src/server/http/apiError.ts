// Every API error is JSON {error, message}; messages describe what was wrong without echoing
// the request back. Codes, statuses and wordings are one catalogue (errorCatalogue.ts): code here
// names a code and passes the facts its message is built from.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../log/index.js';
import { PRINTABLE_PATTERN } from '../../model/index.js';
import { API_ERRORS, type ApiErrorArgs, type ApiErrorCode } from './errorCatalogue.js';

export { API_ERROR_CODES, API_ERRORS, type ApiErrorCode } from './errorCatalogue.js';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** Adds Retry-After (seconds); returns this error, for `throw apiError(…).retryAfter(s)`. */
  retryAfter(seconds: number): this {
    this.headers['retry-after'] = String(seconds);
    return this;
  }
}

/** The error of `code`, with its status, headers and the message built from `args`. */
export function apiError<C extends ApiErrorCode>(code: C, ...args: ApiErrorArgs<C>): ApiError {
  const spec = API_ERRORS[code];
  const message = (spec.message as (...a: unknown[]) => string)(...args);
  const headers = 'headers' in spec ? { ...spec.headers } : {};
  return new ApiError(spec.status, code, message, headers);
}

export function sendApiError(reply: FastifyReply, err: ApiError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.code(err.statusCode).type('application/json; charset=utf-8').send({ error: err.code, message: err.message });
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
  if (err instanceof ApiError) return sendApiError(reply, err);
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe.validation && fe.validation.length > 0) {
    const context = fe.validationContext ?? 'body';
    const code = req.url.startsWith('/api/v1/report') ? 'invalid_report' : 'invalid_request';
    return sendApiError(reply, apiError(code, describeValidationError(fe.validation[0] as AjvError, context)));
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendApiError(reply, apiError('body_too_large'));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return sendApiError(reply, apiError('unsupported_media_type'));
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return sendApiError(reply, apiError('invalid_json'));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return sendApiError(reply, apiError('invalid_request', 'the body is empty; send a JSON object'));
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return sendApiError(reply, apiError('invalid_request', 'the Content-Length header does not match the body'));
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own 4xx keeps its status under the catalogue's code and wording
    const refused = apiError('bad_request');
    return sendApiError(reply, new ApiError(fe.statusCode, refused.code, refused.message));
  }
  logger.error({ err, method: req.method, route: req.routeOptions.url }, 'request failed');
  return sendApiError(reply, apiError('internal_error'));
}
