// POST /api/v1/report — thin: authenticate, check media type, admit (rate and caps charged to the
// requester: the authenticated node, else the address), validate by schema, check the node against
// the sender's identity, hand over.
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../../log/index.js';
import { type AgentReport, AgentReportSchema } from '../../../model/index.js';
import type { AgentAuthenticator } from '../../auth/agentAuth.js';
import type { ReportAdmission } from '../../ingest/reportAdmission.js';
import { reportProblem } from '../../ingest/reportCheck.js';
import type { PullMetrics } from '../../metrics/pullMetrics.js';
import { CapacityError, type PullTracker, ReportLimitError } from '../../tracker/pullTracker.js';
import { agentAuthHooks } from '../agentAuthHooks.js';
import { apiError } from '../apiError.js';
import { admissionRefusalError, capacityRefusalError } from '../refusals.js';
import type { RequesterKey } from '../requester.js';

export interface ReportRouteDeps {
  tracker: PullTracker;
  metrics: PullMetrics;
  admission: ReportAdmission;
  agentAuth: AgentAuthenticator;
  /** who is asking: the authenticated node, else the remote address */
  requesterKey: RequesterKey;
  logger?: Logger;
  now: () => number;
  /**
   * Shared report log (PULLTRACE_BUS): appends the report; true when appended (every replica, this
   * one too, applies it in the log's order), false when the log is away (apply it here now).
   */
  appendReport?: (report: AgentReport) => Promise<boolean>;
}

export function registerReportRoute(app: FastifyInstance, deps: ReportRouteDeps): void {
  const auth = agentAuthHooks(deps.agentAuth, deps.logger);
  app.post<{ Body: AgentReport }>('/api/v1/report', {
    schema: { body: AgentReportSchema },
    // Before the body is read: an unauthenticated, non-JSON or over-rate request costs no parsing.
    onRequest: async (req) => {
      await auth.authenticate(req);
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') throw apiError('unsupported_media_type');
      const refused = deps.admission.beforeBody(deps.requesterKey(req), deps.now());
      if (refused) throw admissionRefusalError(refused);
    },
    // A report for another node than the sender's identity changes nothing.
    preHandler: auth.checkNode,
    handler: async (req) => {
      const now = deps.now();
      const refused = deps.admission.forNode(deps.requesterKey(req), req.body.nodeName, now);
      if (refused) throw admissionRefusalError(refused);
      // The schema again (Fastify's check names the field first) and the time bounds: the same
      // check as a report read from the shared log, so nothing one path refuses enters by the other.
      const problem = reportProblem(req.body, now);
      if (problem) throw apiError('invalid_report', problem.message);
      if (deps.appendReport && (await deps.appendReport(req.body))) {
        deps.metrics.reportAccepted();
        return { accepted: true };
      }
      try {
        deps.tracker.applyReport(req.body, now);
      } catch (err) {
        if (err instanceof CapacityError) throw capacityRefusalError(err);
        if (err instanceof ReportLimitError) throw apiError('invalid_report', err.message);
        throw err;
      }
      deps.metrics.reportAccepted();
      return { accepted: true };
    },
  });
}
