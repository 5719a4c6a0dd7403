// GET /api/v1/events: Server-Sent Events. The hub owns fan-out; this route only admits clients.
import type { FastifyInstance } from 'fastify';
import { FILTER_KEYS } from '../../../pulls/index.js';
import type { SseHub } from '../../sse/sseHub.js';
import type { PullTracker } from '../../tracker/pullTracker.js';
import { apiError } from '../apiError.js';
import { clientAddress } from '../clientAddress.js';
import { parseFilter, parseLayers, parseString, rejectUnknown } from '../queryParams.js';
import { SECURITY_HEADERS } from '../securityHeaders.js';

type Query = Record<string, string | string[] | undefined>;

export interface EventsRouteDeps {
  hub: SseHub;
  tracker: PullTracker;
  maxClients: number;
  /** most streams from one remote address (PULLTRACE_MAX_SSE_PER_ADDRESS) */
  maxPerAddress: number;
  now: () => number;
}

export function registerEventsRoute(app: FastifyInstance, deps: EventsRouteDeps): void {
  app.get<{ Querystring: Query }>('/api/v1/events', async (req, reply) => {
    rejectUnknown(req.query, [...FILTER_KEYS, 'layers', 'lastEventId']);
    const filter = parseFilter(req.query);
    const layers = parseLayers(req.query);
    const lastIdText = (req.headers['last-event-id'] as string | undefined) ?? parseString(req.query, 'lastEventId');
    const lastEventId = lastIdText !== undefined && /^\d{1,16}$/.test(lastIdText) ? Number(lastIdText) : undefined;
    // Keyed on the connection (or what a trusted proxy says of it), not on anything the client
    // says: one client cannot take every slot.
    const address = clientAddress(req);
    if (deps.hub.countFor(address) >= deps.maxPerAddress) {
      throw apiError('too_many_streams', deps.maxPerAddress).retryAfter(10);
    }
    // At the cap, a stream that stopped reading gives its place up (checked after the per-address
    // cap, so no stream is closed for a client that is then refused anyway).
    if (deps.hub.size >= deps.maxClients && !deps.hub.evictLongestStalled()) {
      throw apiError('capacity', `the server serves at most ${deps.maxClients} event streams (PULLTRACE_MAX_SSE_CLIENTS)`).retryAfter(10);
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    deps.hub.attach(res, { filter, layers, address, lastEventId, snapshot: () => deps.tracker.list(filter, deps.now(), layers) });
  });
}
