// GET /api/v1/history: finished pulls from the history (SQLite or PostgreSQL), newest first, cursor-paginated.
import type { FastifyInstance } from 'fastify';
import { FILTER_KEYS } from '../../../pulls/index.js';
import { type History, InvalidHistoryQueryError, MAX_HISTORY_LIMIT } from '../../../store/index.js';
import { apiError } from '../apiError.js';
import { parseFilter, parseLayers, parseLimit, parseString, parseTime, rejectUnknown } from '../queryParams.js';
import { parseReasonList } from '../reasonFilter.js';

type Query = Record<string, string | string[] | undefined>;

export function registerHistoryRoute(app: FastifyInstance, store: History): void {
  app.get<{ Querystring: Query }>('/api/v1/history', async (req) => {
    rejectUnknown(req.query, [...FILTER_KEYS, 'reason', 'layers', 'limit', 'cursor', 'since', 'until']);
    const layers = parseLayers(req.query);
    const filter = {
      ...parseFilter(req.query),
      reason: parseReason(req.query),
      since: parseTime(req.query, 'since'),
      until: parseTime(req.query, 'until'),
    };
    const limit = parseLimit(req.query, MAX_HISTORY_LIMIT, 50);
    try {
      // `layers=0` gives the same summaries as the live endpoints (and the store does not even read layers).
      return await store.query(filter, limit, parseString(req.query, 'cursor'), layers);
    } catch (err) {
      if (err instanceof InvalidHistoryQueryError) throw apiError('invalid_request', err.message);
      // A network database (PostgreSQL) that does not answer is a temporary condition, not a bug.
      if (store.kind === 'postgres') {
        throw apiError('history_unavailable').retryAfter(5);
      }
      throw err;
    }
  });
}

/** `reason=auth,rate_limited`: failed pulls of these kinds; absent or empty filters nothing. */
function parseReason(query: Query) {
  const text = parseString(query, 'reason', 256);
  if (text === undefined) return undefined;
  try {
    return parseReasonList(text);
  } catch (err) {
    throw apiError('invalid_request', (err as Error).message);
  }
}
