// The HTTP app built in-process with real parts (tracker, event bus, in-memory SQLite history,
// SSE hub, metrics, admission), for route tests with `app.inject`: milliseconds, no process, no port.
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../log/index.js';
import { HistoryStore, SqliteHistory } from '../../store/index.js';
import { type AgentAuthenticator, noAuth } from '../auth/agentAuth.js';
import { PullEventBus } from '../events/pullEventBus.js';
import { ReportAdmission } from '../ingest/reportAdmission.js';
import { PullMetrics } from '../metrics/pullMetrics.js';
import { SseHub } from '../sse/sseHub.js';
import { PullTracker, type TrackerLimits } from '../tracker/pullTracker.js';
import { type AppDeps, buildApp } from './app.js';
import { ReadAdmission, type ReadLimits } from './readAdmission.js';

export interface ApiAppOptions {
  agentAuth?: AgentAuthenticator;
  limits?: Partial<TrackerLimits>;
  nodeReportRate?: number;
  maxNodesPerAddress?: number;
  maxSseClients?: number;
  maxSsePerAddress?: number;
  ready?: boolean;
  /** reads per address (PULLTRACE_READ_RATE / _BURST); unlimited when absent */
  readLimits?: ReadLimits;
  /** the clock of the tracker and admission (ms); Date.now by default */
  now?: () => number;
  /** what the listener serves, whom X-Forwarded-For is believed from, the Host names answered */
  listener?: Pick<AppDeps, 'serves' | 'trustedProxies' | 'allowedHosts'>;
}

export interface ApiApp {
  app: FastifyInstance;
  tracker: PullTracker;
  bus: PullEventBus;
  store: HistoryStore;
  close(): Promise<void>;
}

export async function buildApiApp(options: ApiAppOptions = {}): Promise<ApiApp> {
  const logger = createLogger('silent');
  const now = options.now ?? Date.now;
  const bus = new PullEventBus();
  const tracker = new PullTracker(bus, {
    stallTimeoutMs: 30_000,
    historyTtlMs: 60 * 60_000,
    maxNodes: 100,
    maxPulls: 1000,
    ...options.limits,
  });
  const store = HistoryStore.open(':memory:', logger);
  const hub = new SseHub();
  const metrics = new PullMetrics({ counts: () => tracker.counts(), agentsConnected: () => 0, sseClients: () => hub.size });
  const admission = new ReportAdmission({
    nodeReportRate: options.nodeReportRate ?? 1000,
    maxNodesPerAddress: options.maxNodesPerAddress ?? 100,
  });
  const app = await buildApp({
    logger,
    tracker,
    store: new SqliteHistory(store),
    hub,
    metrics,
    admission,
    agentAuth: options.agentAuth ?? noAuth(),
    maxSseClients: options.maxSseClients ?? 10,
    maxSsePerAddress: options.maxSsePerAddress ?? 10,
    isReady: () => options.ready ?? true,
    ...(options.readLimits ? { readAdmission: new ReadAdmission(options.readLimits) } : {}),
    now,
    ...options.listener,
  });
  await app.ready();
  return {
    app,
    tracker,
    bus,
    store,
    async close() {
      hub.close();
      await app.close();
      store.close();
    },
  };
}
