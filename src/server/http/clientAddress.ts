// "Which client is this": the address every per-address limit is charged to. By default the
// connection's own address; behind proxies named in PULLTRACE_TRUSTED_PROXIES, the right-most
// X-Forwarded-For entry no trusted proxy added (entries further left are whatever the client
// wrote). Fastify computes it (`request.ip`, through @fastify/proxy-addr) from the list given
// to its `trustProxy` option; without that option it ignores the header.
import type { FastifyRequest } from 'fastify';

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The client's address, as every per-address limit counts it. */
export function clientAddress(req: FastifyRequest): string {
  return normalizeAddress(req.ip ?? req.socket.remoteAddress);
}

/** Fastify's `trustProxy` for PULLTRACE_TRUSTED_PROXIES; none (the header ignored) for an empty list. */
export function trustProxyOption(trustedProxies: readonly string[] | undefined): { trustProxy?: string[] } {
  return trustedProxies && trustedProxies.length > 0 ? { trustProxy: [...trustedProxies] } : {};
}
