// GET /api/v1/pulls and /api/v1/pulls/{id}: the live view.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { FILTER_KEYS, matchesFilter } from '../../../pulls/index.js';
import type { PullTracker } from '../../tracker/pullTracker.js';
import { apiError } from '../apiError.js';
import { decodePullsCursor, encodePullsCursor } from '../pullsCursor.js';
import { pullsJson } from '../pullsJson.js';
import { parseFilter, parseLayers, parseLimit, parseString, rejectUnknown } from '../queryParams.js';

type Query = Record<string, string | string[] | undefined>;

/** Most pulls in one page of /api/v1/pulls (`limit`), and the page size when only `cursor` is given. */
export const MAX_PULLS_LIMIT = 500;
export const DEFAULT_PULLS_LIMIT = 100;

export function registerPullRoutes(app: FastifyInstance, tracker: PullTracker, now: () => number): void {
  // Without `limit` or `cursor`: every matching pull, `{"pulls": […]}` as in v1. With either: one
  // page, `{"pulls": […], "next": cursor or null}`. Both are sent a slice at a time (pullsJson.ts).
  app.get<{ Querystring: Query }>('/api/v1/pulls', async (req, reply) => {
    rejectUnknown(req.query, [...FILTER_KEYS, 'layers', 'limit', 'cursor']);
    const filter = parseFilter(req.query);
    const layers = parseLayers(req.query);
    const cursorText = parseString(req.query, 'cursor');
    const paged = req.query.limit !== undefined || cursorText !== undefined;
    const limit = paged ? parseLimit(req.query, MAX_PULLS_LIMIT, DEFAULT_PULLS_LIMIT) : undefined;
    const after = cursorText === undefined ? undefined : decodePullsCursor(cursorText);
    if (cursorText !== undefined && !after) {
      throw apiError('invalid_request', 'query parameter "cursor" is not a value returned in "next" by an earlier page of /api/v1/pulls');
    }
    const chosen = tracker.orderedIds(filter, { ...(after ? { after } : {}), ...(limit !== undefined ? { limit } : {}) });
    const body = pullsJson({
      ids: chosen.ids,
      status: (id) => tracker.status(id, now(), layers),
      matches: (pull) => matchesFilter(pull, filter),
      ...(paged ? { next: chosen.next ? encodePullsCursor(chosen.next) : null } : {}),
    });
    return reply.type('application/json; charset=utf-8').send(Readable.from(body));
  });

  app.get<{ Params: { id: string }; Querystring: Query }>('/api/v1/pulls/:id', async (req) => {
    rejectUnknown(req.query, ['layers']);
    const pull = tracker.status(req.params.id, now(), parseLayers(req.query));
    if (!pull)
      throw apiError(
        'not_found',
        'no pull with this id (finished pulls leave the live view after PULLTRACE_HISTORY_TTL; see /api/v1/history)',
      );
    return pull;
  });
}
