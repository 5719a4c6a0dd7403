// "Who is asking": the key rate limits and caps are charged to. Today it is the connection's
// remote address, known before the body is read; an authenticated agent identity can replace
// it by passing another RequesterKey to the app, with nothing else changing.
import type { FastifyRequest } from 'fastify';

export type RequesterKey = (req: FastifyRequest) => string;

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export const byRemoteAddress: RequesterKey = (req) => `addr:${normalizeAddress(req.socket.remoteAddress)}`;
