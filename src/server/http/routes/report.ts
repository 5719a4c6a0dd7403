// POST /api/v1/report — thin: authenticate, check media type, validate by schema, check the node
// against the sender's identity, rate-limit, hand over.
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../../log/index.js';
import { type AgentReport, AgentReportSchema } from '../../../model/index.js';
import { type AgentAuthenticator, agentAuthHooks } from '../../auth/agentAuth.js';
import type { NodeRateLimiter } from '../../ingest/nodeRateLimiter.js';
import type { PullMetrics } from '../../metrics/pullMetrics.js';
import { CapacityError, type PullTracker } from '../../tracker/pullTracker.js';
import { ApiError } from '../apiError.js';

export interface ReportRouteDeps {
  tracker: PullTracker;
  metrics: PullMetrics;
  rateLimiter: NodeRateLimiter;
  agentAuth: AgentAuthenticator;
  logger?: Logger;
  now: () => number;
  /** a report applied here, for the shared report log (PULLTRACE_BUS); none in-process */
  onReportAccepted?: (report: AgentReport) => void;
}

export function registerReportRoute(app: FastifyInstance, deps: ReportRouteDeps): void {
  const auth = agentAuthHooks(deps.agentAuth, deps.logger);
  app.post<{ Body: AgentReport }>('/api/v1/report', {
    schema: { body: AgentReportSchema },
    // Before the body is read: an unauthenticated or non-JSON request costs no parsing.
    onRequest: async (req) => {
      await auth.authenticate(req);
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') throw new ApiError(415, 'unsupported_media_type', 'the body must be application/json');
    },
    // A report for another node than the sender's identity changes nothing.
    preHandler: auth.checkNode,
    handler: async (req) => {
      const now = deps.now();
      const wait = deps.rateLimiter.take(req.body.nodeName, now);
      if (wait > 0) {
        throw new ApiError(429, 'too_many_reports', `node ${req.body.nodeName} reports too often; retry in ${wait}s`, {
          'retry-after': String(wait),
        });
      }
      try {
        deps.tracker.applyReport(req.body, now);
      } catch (err) {
        if (err instanceof CapacityError) throw new ApiError(503, 'capacity', err.message, { 'retry-after': '30' });
        throw err;
      }
      deps.onReportAccepted?.(req.body);
      deps.metrics.reportAccepted();
      return { accepted: true };
    },
  });
}
