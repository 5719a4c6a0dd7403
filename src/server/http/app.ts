// The HTTP app: wiring of routes, errors and headers. Routes are thin; state lives elsewhere.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from '../../log/index.js';
import type { AgentReport } from '../../model/index.js';
import { REPORT_BODY_LIMIT_BYTES } from '../../model/index.js';
import type { History } from '../../store/index.js';
import type { AgentAuthenticator } from '../auth/agentAuth.js';
import type { ReportAdmission } from '../ingest/reportAdmission.js';
import type { PullMetrics } from '../metrics/pullMetrics.js';
import type { SseHub } from '../sse/sseHub.js';
import type { PullTracker } from '../tracker/pullTracker.js';
import { apiError, handleError, sendApiError } from './apiError.js';
import { trustProxyOption } from './clientAddress.js';
import { type ConnectionSettings, capConnectionsPerAddress, serverTimeouts, tlsServerTimeouts } from './connectionLimits.js';
import { registerHostCheck } from './hostCheck.js';
import { READ_ROUTES, type ReadAdmission } from './readAdmission.js';
import { byRemoteAddress, type RequesterKey } from './requester.js';
import { registerAgentsRoute } from './routes/agents.js';
import { registerEventsRoute } from './routes/events.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerHistoryRoute } from './routes/history.js';
import { registerPullRoutes } from './routes/pulls.js';
import { registerReportRoute } from './routes/report.js';
import { SECURITY_HEADERS } from './securityHeaders.js';
import { registerStaticUi } from './staticUi.js';
import type { TlsPair } from './tlsFiles.js';

export interface AppDeps {
  logger: Logger;
  tracker: PullTracker;
  store: History;
  hub: SseHub;
  metrics: PullMetrics;
  admission: ReportAdmission;
  agentAuth: AgentAuthenticator;
  /** who is asking (default: the authenticated agent's node, else the remote address) */
  requesterKey?: RequesterKey;
  /** the read rate per address (PULLTRACE_READ_RATE); reads are not limited when absent (tests building a bare app) */
  readAdmission?: ReadAdmission;
  /** who a read is charged to (default: the remote address) */
  readerKey?: RequesterKey;
  /** timeouts and caps of the listener; Node's defaults when absent (tests building a bare app) */
  connections?: ConnectionSettings;
  maxSseClients: number;
  maxSsePerAddress: number;
  isReady: () => boolean;
  /** a line for /readyz's body (the shared report log's state) */
  readyDetail?: () => string;
  /** the shared report log (PULLTRACE_BUS): see ReportRouteDeps.appendReport */
  appendReport?: (report: AgentReport) => Promise<boolean>;
  now: () => number;
  webRoot?: string;
  /** HTTPS with this certificate and key when set */
  tls?: TlsPair;
  /**
   * What this listener serves: `all` (one port, the default), `viewers` (everything but
   * POST /api/v1/report, when agents have their own port) or `agents` (only that).
   */
  serves?: ListenerRole;
  /** PULLTRACE_TRUSTED_PROXIES: X-Forwarded-For is believed from these (see clientAddress.ts) */
  trustedProxies?: readonly string[];
  /** bound to loopback: the Host names answered (others get 421; see hostCheck.ts); no check when absent */
  allowedHosts?: ReadonlySet<string>;
}

export type ListenerRole = 'all' | 'viewers' | 'agents';

export const BODY_LIMIT_BYTES = REPORT_BODY_LIMIT_BYTES;

/** The API's routes as registered, URL → methods (HEAD included for GET), per app. */
const apiRoutes = new WeakMap<FastifyInstance, ReadonlyMap<string, readonly string[]>>();

/** The methods each API URL takes, as its routes registered them (the 405 table, the docs check). */
export function registeredApiRoutes(app: FastifyInstance): ReadonlyMap<string, readonly string[]> {
  return apiRoutes.get(app) ?? new Map();
}
/** An agent proven by its token is charged as its node (authentication runs first); anyone else as its address. */
const byAgentOrAddress: RequesterKey = (req) => (req.agent?.nodeName ? `node:${req.agent.nodeName}` : byRemoteAddress(req));

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.tls
      ? { https: { cert: deps.tls.cert, key: deps.tls.key, ...(deps.connections ? tlsServerTimeouts(deps.connections) : {}) } }
      : {}),
    // Request logs at 5,000 reports/s would drown the pull lifecycle lines; errors are logged by handleError.
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    return503OnClosing: true,
    ...(deps.connections ? serverTimeouts(deps.connections) : {}),
    ...trustProxyOption(deps.trustedProxies),
  });
  if (deps.connections) {
    app.server.maxConnections = deps.connections.maxConnections;
    capConnectionsPerAddress(app.server, deps.connections.maxConnectionsPerAddress);
  }
  app.addHook('onSend', async (_req, reply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
  });
  app.setErrorHandler((err: FastifyError, req, reply) => handleError(err, req, reply, deps.logger));
  const readAdmission = deps.readAdmission;
  if (readAdmission) {
    const readerKey = deps.readerKey ?? byRemoteAddress;
    // Before anything is parsed or looked up: a refused read costs next to nothing.
    app.addHook('onRequest', async (req) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !READ_ROUTES.has(req.routeOptions.url ?? '')) return;
      const refused = readAdmission.take(readerKey(req), deps.now());
      if (refused) throw refused;
    });
  }
  app.setNotFoundHandler((_req, reply) => sendApiError(reply, apiError('not_found', 'no such endpoint')));
  if (deps.allowedHosts) registerHostCheck(app, deps.allowedHosts);
  const serves = deps.serves ?? 'all';

  // The API's routes are registered once, here; each URL's methods are collected as they are, and
  // every other method on that URL answers 405 with an Allow header made from them.
  const routes = new Map<string, string[]>();
  let collecting = true;
  app.addHook('onRoute', (route) => {
    if (!collecting) return;
    const methods = routes.get(route.url) ?? [];
    for (const m of [route.method].flat()) if (!methods.includes(m)) methods.push(m);
    routes.set(route.url, methods);
  });
  if (serves !== 'viewers') registerReportRoute(app, { ...deps, requesterKey: deps.requesterKey ?? byAgentOrAddress });
  if (serves !== 'agents') {
    registerPullRoutes(app, deps.tracker, deps.now);
    registerEventsRoute(app, {
      hub: deps.hub,
      tracker: deps.tracker,
      maxClients: deps.maxSseClients,
      maxPerAddress: deps.maxSsePerAddress,
      now: deps.now,
    });
    registerHistoryRoute(app, deps.store);
    registerHealthRoutes(app, deps.isReady, deps.readyDetail);
    registerAgentsRoute(app, deps.tracker, deps.now);
  }
  collecting = false;
  for (const methods of routes.values()) if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
  apiRoutes.set(app, routes);
  for (const [url, allowed] of routes) {
    const others = ALL_METHODS.filter((m) => !allowed.includes(m));
    const refuse = async (_req: unknown, reply: FastifyReply) =>
      sendApiError(reply.header('allow', allowed.join(', ')), apiError('method_not_allowed', allowed));
    // Answered in onRequest, before any body is parsed: a DELETE with an empty JSON body is a
    // wrong method (405), not a malformed body (400).
    app.route({ method: others, url, onRequest: refuse, handler: refuse });
  }
  if (serves !== 'agents') await registerStaticUi(app, deps.webRoot);
  return app;
}
