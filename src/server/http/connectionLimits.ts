// Timeouts and caps of the HTTP listener, so idle or slow clients cannot hold the server's
// sockets: a request (headers and body) must arrive within `requestTimeout` (its headers within
// HEADERS_TIMEOUT_MS of it), an idle kept-alive connection closes after KEEP_ALIVE_TIMEOUT_MS,
// at most `maxConnections` are open, and the accept queue holds `listenBacklog` connections
// (Node's default of 511 answered a restart with 5,000 agents reconnecting with resets).
// A Server-Sent Events response is not a request still arriving, so streams are not cut.

/** Longer than any agent's report interval, so agents keep one connection between reports. */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;
/** Headers of a request must arrive this fast (slow-headers clients are dropped). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** How often Node checks the timeouts above (its default is 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

export interface ConnectionSettings {
  requestTimeoutMs: number;
  maxConnections: number;
  listenBacklog: number;
}

/** Options for http.createServer (via Fastify's `http` option) and for Fastify itself. */
export function serverTimeouts(s: ConnectionSettings): {
  requestTimeout: number;
  keepAliveTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number };
} {
  const headersTimeout = Math.min(HEADERS_TIMEOUT_MS, s.requestTimeoutMs);
  return {
    requestTimeout: s.requestTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout,
      requestTimeout: s.requestTimeoutMs,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, headersTimeout),
    },
  };
}
