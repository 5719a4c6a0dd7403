// POST /api/v1/report — thin: authenticate, check media type, admit (rate and caps charged to the
// requester: the authenticated node, else the address), validate by schema, check the node against
// the sender's identity, append to the report log (which applies it: here, or on every replica).
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../../log/index.js';
import { type AgentReport, AgentReportSchema } from '../../../model/index.js';
import type { AgentAuthenticator } from '../../admission/agentAuth.js';
import type { ReportAdmission } from '../../admission/reportAdmission.js';
import { reportProblem } from '../../admission/reportCheck.js';
import type { PullMetrics } from '../../outputs/metrics/pullMetrics.js';
import type { ReportLog } from '../../replication/reportLog.js';
import { CapacityError, ReportLimitError } from '../../tracker/pullTracker.js';
import { agentAuthHooks } from '../agentAuthHooks.js';
import { apiError } from '../apiError.js';
import { admissionRefusalError, capacityRefusalError } from '../refusals.js';
import type { RequesterKey } from '../requester.js';

export interface ReportRouteDeps {
  /** where accepted reports go; the one path for a single server and for replicas */
  reportLog: Pick<ReportLog, 'appendReport'>;
  metrics: PullMetrics;
  admission: ReportAdmission;
  agentAuth: AgentAuthenticator;
  /** who is asking: the authenticated node, else the remote address */
  requesterKey: RequesterKey;
  logger?: Logger;
  now: () => number;
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
      try {
        await deps.reportLog.appendReport(req.body);
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
