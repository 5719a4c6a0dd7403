// "Who is asking": the key rate limits and caps are charged to. Today it is the client's
// address (see clientAddress.ts: the connection's, or the one a trusted proxy forwarded),
// known before the body is read; an authenticated agent identity can replace it by passing
// another RequesterKey to the app, with nothing else changing.
import type { FastifyRequest } from 'fastify';
import { clientAddress } from './clientAddress.js';

export { normalizeAddress } from './clientAddress.js';

export type RequesterKey = (req: FastifyRequest) => string;

export const byRemoteAddress: RequesterKey = (req) => `addr:${clientAddress(req)}`;
