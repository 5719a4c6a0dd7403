// Timeouts and caps of the HTTP listener, so idle or slow clients cannot hold the server's
// sockets: a request (headers and body) must arrive within `requestTimeout` (its headers within
// HEADERS_TIMEOUT_MS of it), an idle kept-alive connection closes after KEEP_ALIVE_TIMEOUT_MS,
// at most `maxConnections` are open (`maxConnectionsPerAddress` from one remote address), and
// the accept queue holds `listenBacklog` connections (Node's default of 511 answered a restart
// with 5,000 agents reconnecting with resets). With TLS the same timeouts hold, and the
// handshake must finish within the headers' time. A Server-Sent Events response is not a
// request still arriving, so streams are not cut.
import type { Server, Socket } from 'node:net';

/** Longer than any agent's report interval, so agents keep one connection between reports. */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;
/** Headers of a request must arrive this fast (slow-headers clients are dropped). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** How often Node checks the timeouts above (its default is 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

export interface ConnectionSettings {
  requestTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerAddress: number;
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

/**
 * Options for https.createServer (via Fastify's `https` option): Fastify hands its `http` options
 * only to a plain server, so a TLS one would keep Node's defaults (headers 60 s, checked every
 * 30 s; a handshake never started held 120 s).
 */
export function tlsServerTimeouts(s: ConnectionSettings): {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
  handshakeTimeout: number;
} {
  const { http } = serverTimeouts(s);
  return { ...http, handshakeTimeout: http.headersTimeout };
}

/**
 * Closes, as soon as it is accepted, a connection from an address that already holds `max`:
 * one client cannot take the whole `maxConnections`. Counted before any TLS handshake.
 */
export function capConnectionsPerAddress(server: Server, max: number): void {
  const open = new Map<string, number>();
  // First of the 'connection' listeners: the HTTP (or TLS) layer never sees a refused socket.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const n = open.get(address) ?? 0;
    if (n >= max) {
      socket.destroy();
      return;
    }
    open.set(address, n + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
