// The HTTP app: wiring of routes, errors and headers. Routes are thin; state lives elsewhere.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '../../log/index.js';
import type { HistoryStore } from '../../store/index.js';
import type { NodeRateLimiter } from '../ingest/nodeRateLimiter.js';
import type { PullMetrics } from '../metrics/pullMetrics.js';
import type { SseHub } from '../sse/sseHub.js';
import type { PullTracker } from '../tracker/pullTracker.js';
import { handleError, sendError } from './apiError.js';
import { registerEventsRoute } from './routes/events.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerHistoryRoute } from './routes/history.js';
import { registerPullRoutes } from './routes/pulls.js';
import { registerReportRoute } from './routes/report.js';
import { SECURITY_HEADERS } from './securityHeaders.js';
import { registerStaticUi } from './staticUi.js';

export interface AppDeps {
  logger: Logger;
  tracker: PullTracker;
  store: HistoryStore;
  hub: SseHub;
  metrics: PullMetrics;
  rateLimiter: NodeRateLimiter;
  agentToken: string;
  maxSseClients: number;
  maxSsePerAddress: number;
  isReady: () => boolean;
  now: () => number;
  webRoot?: string;
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

const API_PATHS: Record<string, string[]> = {
  '/api/v1/report': ['POST'],
  '/api/v1/pulls': ['GET', 'HEAD'],
  '/api/v1/pulls/:id': ['GET', 'HEAD'],
  '/api/v1/events': ['GET', 'HEAD'],
  '/api/v1/history': ['GET', 'HEAD'],
  '/healthz': ['GET', 'HEAD'],
  '/readyz': ['GET', 'HEAD'],
};
const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Request logs at 5,000 reports/s would drown the pull lifecycle lines; errors are logged by handleError.
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    return503OnClosing: true,
  });
  app.addHook('onSend', async (_req, reply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
  });
  app.setErrorHandler((err: FastifyError, req, reply) => handleError(err, req, reply, deps.logger));
  app.setNotFoundHandler((_req, reply) => sendError(reply, 404, 'not_found', 'no such endpoint'));

  registerReportRoute(app, deps);
  registerPullRoutes(app, deps.tracker, deps.now);
  registerEventsRoute(app, {
    hub: deps.hub,
    tracker: deps.tracker,
    maxClients: deps.maxSseClients,
    maxPerAddress: deps.maxSsePerAddress,
    now: deps.now,
  });
  registerHistoryRoute(app, deps.store);
  registerHealthRoutes(app, deps.isReady);
  for (const [url, allowed] of Object.entries(API_PATHS)) {
    const others = ALL_METHODS.filter((m) => !allowed.includes(m));
    app.route({
      method: others,
      url,
      handler: async (_req, reply) =>
        sendError(
          reply.header('allow', allowed.join(', ')),
          405,
          'method_not_allowed',
          `use ${allowed.filter((m) => m !== 'HEAD').join(' or ')}`,
        ),
    });
  }
  await registerStaticUi(app, deps.webRoot);
  return app;
}
