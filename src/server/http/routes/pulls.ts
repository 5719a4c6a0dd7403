// GET /api/v1/pulls and /api/v1/pulls/{id}: the live view.
import type { FastifyInstance } from 'fastify';
import { FILTER_KEYS } from '../../tracker/pullFilter.js';
import type { PullTracker } from '../../tracker/pullTracker.js';
import { ApiError } from '../apiError.js';
import { parseFilter, parseLayers, rejectUnknown } from '../queryParams.js';

type Query = Record<string, string | string[] | undefined>;

export function registerPullRoutes(app: FastifyInstance, tracker: PullTracker, now: () => number): void {
  app.get<{ Querystring: Query }>('/api/v1/pulls', async (req) => {
    rejectUnknown(req.query, [...FILTER_KEYS, 'layers']);
    return { pulls: tracker.list(parseFilter(req.query), now(), parseLayers(req.query)) };
  });

  app.get<{ Params: { id: string }; Querystring: Query }>('/api/v1/pulls/:id', async (req) => {
    rejectUnknown(req.query, ['layers']);
    const pull = tracker.status(req.params.id, now(), parseLayers(req.query));
    if (!pull)
      throw new ApiError(
        404,
        'not_found',
        'no pull with this id (finished pulls leave the live view after PULLTRACE_HISTORY_TTL; see /api/v1/history)',
      );
    return pull;
  });
}
