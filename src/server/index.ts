// Composition of the server: store, tracker, event bus and its four subscribers (SSE, logs,
// metrics, history), HTTP and metrics listeners, timers.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { ServerSettings } from '../config/index.js';
import { type KubeWatch, logKubernetesOff, type RejectedEvent } from '../k8s/index.js';
import type { Logger } from '../log/index.js';
import type { AgentReport } from '../model/index.js';
import { isFinished } from '../pulls/index.js';
import { openHistory } from '../store/index.js';
import { isPostgresUrl, redactPostgresUrl } from '../store/postgres/postgresUrl.js';
import { type AgentAuthenticator, isLoopbackHost, kubernetesAuth, noAuth, sharedTokenAuth } from './auth/agentAuth.js';
import type { AgentIdentity } from './auth/agentIdentity.js';
import { DEFAULT_REVIEW_CACHE, ReviewCache } from './auth/reviewCache.js';
import type { NatsReportLog } from './bus/natsReportLog.js';
import { StreamEventIds } from './bus/streamEventIds.js';
import { PullEventBus } from './events/pullEventBus.js';
import { faultReporter, guarded } from './faultReport.js';
import { type AppDeps, buildApp } from './http/app.js';
import { allowedHostNames } from './http/hostCheck.js';
import { ReadAdmission } from './http/readAdmission.js';
import { readTlsPair, watchTlsPair } from './http/tlsFiles.js';
import { ReportAdmission } from './ingest/reportAdmission.js';
import { applyKubeAction, type KubeAction } from './kube/kubeAction.js';
import { KubeCorrelator } from './kube/kubeCorrelator.js';
import { registerAgentAuthMetrics } from './metrics/agentAuthMetrics.js';
import { registerHistoryQueueMetrics } from './metrics/historyQueueMetrics.js';
import { createMetricsServer } from './metrics/metricsServer.js';
import { collectProcessMetrics } from './metrics/processMetrics.js';
import { PullMetrics } from './metrics/pullMetrics.js';
import { registerReportLogMetrics } from './metrics/reportLogMetrics.js';
import { logPullEvent } from './pullEventLog.js';
import { type SseDropInfo, SseHub } from './sse/sseHub.js';
import { PullTracker } from './tracker/pullTracker.js';

export { PullEventBus } from './events/pullEventBus.js';
export { METRIC_NAMES } from './metrics/pullMetrics.js';
export { PullTracker } from './tracker/pullTracker.js';

export interface RunningServer {
  httpPort: number;
  metricsPort: number;
  /** the port that takes agent reports when PULLTRACE_AGENT_ADDR is set */
  agentPort?: number;
  /** URL an in-process agent uses to reach this server */
  loopbackUrl: string;
  /** the Kubernetes API is watched (off, or auto that found no cluster: false) */
  kubernetes: boolean;
  tracker: PullTracker;
  bus: PullEventBus;
  close(): Promise<void>;
}

const TICK_MS = 1000;
const PRUNE_EVERY_MS = 10 * 60_000;
const FORGET_LAYERS_EVERY_MS = 60_000;
const DROP_MESSAGES: Record<SseDropInfo['reason'], string> = {
  stalled: 'closed an event stream that stopped reading (PULLTRACE_SSE_STALL_TIMEOUT)',
  evicted: 'closed a stalled event stream to make room for a new one (PULLTRACE_MAX_SSE_CLIENTS)',
  unsent: 'dropped an event stream that fell too far behind',
};

export async function startServer(settings: ServerSettings, logger: Logger): Promise<RunningServer> {
  const log = logger.child({ component: 'server' });
  const now = () => Date.now();
  const store = await openHistory(settings.db, log);
  // An exception in a timer, a flush or an event subscriber is logged (once per place) and skipped.
  const fault = faultReporter(log);
  const bus = new PullEventBus((err) => fault('pull event subscriber', err));
  const tracker = new PullTracker(bus, {
    stallTimeoutMs: settings.stallTimeoutMs,
    historyTtlMs: settings.historyTtlMs,
    maxNodes: settings.maxNodes,
    maxPulls: settings.maxPulls,
    cluster: settings.cluster,
    slowEtaMs: settings.slowEtaMs,
    slowRateBytesPerSec: settings.slowRateBytesPerSec,
    maxPullsPerNode: settings.maxPullsPerNode,
    nodeTimeoutMs: settings.nodeTimeoutMs,
  });
  const hub = new SseHub({
    stallMs: settings.sseStallTimeoutMs,
    // Once per dropped client: a reader that stopped reading is worth one line, not one per event.
    onDrop: (d) =>
      log.warn({ address: d.address, reason: d.reason, unsentBytes: d.unsentBytes, limitBytes: d.limitBytes }, DROP_MESSAGES[d.reason]),
    onFault: fault,
  });
  const metrics = new PullMetrics({
    counts: () => tracker.counts(),
    agentsConnected: () => tracker.agentsConnected(now()),
    sseClients: () => hub.size,
  });
  collectProcessMetrics(metrics.registry);
  registerHistoryQueueMetrics(metrics.registry, store);
  // With a shared report log, events caused by a report get ids every replica gives alike.
  const streamEventIds = new StreamEventIds();
  bus.subscribe((e) => hub.publish(e, streamEventIds.next()));
  // Metrics stay per cluster: another cluster's pulls (seen through the shared log) are its own server's to count.
  bus.subscribe((e) => {
    if ((e.pull?.cluster ?? settings.cluster) === settings.cluster) metrics.onEvent(e);
  });
  bus.subscribe((e) => logPullEvent(log, e));
  // Every finished pull's latest state: its final event, then any later refinement (kubelet's
  // error text or figures arrive as `pull.progress` of the finished pull). One row per id.
  bus.subscribe((e) => {
    const finishedPullEvent = e.type === 'pull.completed' || e.type === 'pull.failed' || e.type === 'pull.progress';
    if (finishedPullEvent && e.pull && isFinished(e.pull.status)) store.enqueue(e.pull);
  });

  // What is open so far, closed in reverse when start-up fails half-way (a port in use, …).
  const opened: Array<() => unknown> = [() => store.close(), () => hub.close()];
  let ready = false;
  let reportLog: NatsReportLog | undefined;
  const admission = new ReportAdmission({ nodeReportRate: settings.nodeReportRate, maxNodesPerAddress: settings.maxNodesPerAddress });
  const readAdmission = new ReadAdmission({ perSecond: settings.readRate, burst: settings.readBurst });
  let kube: KubeWatch | undefined;
  let correlator: KubeCorrelator | undefined;
  let app: FastifyInstance;
  let metricsServer: Server;
  let stopTlsWatch: (() => void) | undefined;
  let agentPort: number | undefined;
  let closeAgentApp: () => Promise<void> = async () => {};
  try {
    // Without Kubernetes (off, or no config found) everything but pods and kubelet errors works.
    const eventRejected = (r: RejectedEvent) => {
      metrics.kubeEventRejected(r.reason);
      const noRoom = r.reason === 'hold_quota' || r.reason === 'capacity';
      log.debug(
        r,
        noRoom
          ? 'kubelet event dropped: no room for it; nothing changed'
          : 'kubelet event not believed: its pod does not agree; nothing changed',
      );
    };
    // The Kubernetes client library is loaded only when the watch may start (half of a start-up).
    if (settings.kubernetes === 'off') logKubernetesOff(logger);
    else {
      const { startKubeWatch } = await import('../k8s/client/index.js');
      kube = await startKubeWatch({ kubernetes: settings.kubernetes, watchNamespaces: settings.watchNamespaces }, logger, process.env, {
        onEventRejected: eventRejected,
      });
    }
    opened.push(() => kube?.close());
    // With a shared report log, Kubernetes actions go through it (every replica applies them alike,
    // under the same event ids); while it is away, or without one, they are applied here.
    const applyHere = (action: KubeAction) => correlator?.applied(action, applyKubeAction(tracker, action, now()));
    const actThroughLog = (action: KubeAction) => {
      if (!reportLog) applyHere(action);
      else
        void reportLog.appendKubeAction(action).then((appended) => {
          if (!appended) applyHere(action);
        });
    };
    correlator = kube ? new KubeCorrelator(kube, tracker, log, now, eventRejected, settings.bus ? actThroughLog : undefined) : undefined;
    correlator?.start();
    // A report refused only because TokenReview is down must not time its node out (reviewOutage.ts).
    const agentAuth = await createAgentAuth(settings, kube, log, (retryAt) => tracker.holdNodeTimeouts(retryAt));
    registerAgentAuthMetrics(metrics.registry, agentAuth);

    await store.prune(now() - settings.historyRetentionMs, settings.historyMaxPulls);
    tracker.restoreFinished(await store.finishedSince(now() - settings.historyTtlMs), now());

    // Replicas: the shared report log. Start-up reads every node's latest report before listening.
    if (settings.bus) {
      // Loaded only when asked for: the default (in-process) never loads the NATS client.
      const { NatsReportLog } = await import('./bus/natsReportLog.js');
      const { readBusFiles } = await import('./bus/natsConnectOptions.js');
      const log_ = await NatsReportLog.start({
        url: settings.bus,
        files: readBusFiles(settings, (path) => readFileSync(path, 'utf8')),
        cluster: settings.cluster,
        maxAgeMs: settings.historyTtlMs,
        apply: (report, at, seq, cluster) => {
          streamEventIds.begin(seq);
          try {
            tracker.applyReport(report, at, cluster);
          } finally {
            streamEventIds.end();
          }
        },
        // Timer decisions at the log's ticks, so every replica takes them alike (natsReportLog.ts).
        tick: (at, seq) => {
          streamEventIds.begin(seq);
          try {
            tracker.tick(at);
          } finally {
            streamEventIds.end();
          }
        },
        kubeAction: (action, at, seq) => {
          streamEventIds.begin(seq);
          try {
            correlator?.applied(action, applyKubeAction(tracker, action, at));
          } finally {
            streamEventIds.end();
          }
        },
        logger: log,
      });
      reportLog = log_;
      registerReportLogMetrics(metrics.registry, log_);
      opened.push(() => log_.close());
    }

    const tls = settings.tlsCertFile ? readTlsPair(settings.tlsCertFile, settings.tlsKeyFile) : undefined;
    const appDeps: AppDeps = {
      ...(tls ? { tls } : {}),
      logger: log,
      tracker,
      store,
      hub,
      metrics,
      admission,
      readAdmission,
      agentAuth,
      connections: {
        requestTimeoutMs: settings.requestTimeoutMs,
        maxConnections: settings.maxConnections,
        maxConnectionsPerAddress: settings.maxConnectionsPerAddress,
        listenBacklog: settings.listenBacklog,
      },
      maxSseClients: settings.maxSseClients,
      maxSsePerAddress: settings.maxSsePerAddress,
      isReady: () => ready && (reportLog?.isSynced ?? true),
      ...(reportLog
        ? { readyDetail: () => reportLog?.detail() ?? '', appendReport: (r: AgentReport) => reportLog?.append(r) ?? Promise.resolve(false) }
        : {}),
      now,
      trustedProxies: settings.trustedProxies,
    };
    // With an agent port, the HTTP port serves viewers only and the agent port reports only, so a
    // NetworkPolicy or an Ingress can tell the two apart.
    app = await buildApp({
      ...appDeps,
      serves: settings.agentAddr ? 'viewers' : 'all',
      ...hostCheckFor(settings.httpAddr.host, settings.allowedHosts),
    });
    opened.push(() => app.close());
    const agentAddr = settings.agentAddr;
    const agentApp = agentAddr
      ? await buildApp({ ...appDeps, serves: 'agents', ...hostCheckFor(agentAddr.host, settings.allowedHosts) })
      : undefined;
    if (agentApp) opened.push(() => agentApp.close());
    if (tls) {
      const servers = [app, ...(agentApp ? [agentApp] : [])].map((a) => a.server as unknown as TlsServer);
      stopTlsWatch = watchTlsPair(
        settings.tlsCertFile,
        settings.tlsKeyFile,
        (pair) => {
          for (const server of servers) server.setSecureContext(pair);
        },
        log,
      );
      opened.push(stopTlsWatch);
    }
    await app.listen({
      host: settings.httpAddr.host || '::',
      port: settings.httpAddr.port,
      ipv6Only: false,
      backlog: settings.listenBacklog,
    });
    if (agentApp && agentAddr) {
      await agentApp.listen({ host: agentAddr.host || '::', port: agentAddr.port, ipv6Only: false, backlog: settings.listenBacklog });
    }
    agentPort = agentApp ? (agentApp.server.address() as AddressInfo).port : undefined;
    closeAgentApp = agentApp ? () => agentApp.close() : async () => {};

    metricsServer = createMetricsServer(metrics.registry);
    await new Promise<void>((resolve, reject) => {
      metricsServer.once('error', reject);
      metricsServer.listen({ host: settings.metricsAddr.host || '::', port: settings.metricsAddr.port, ipv6Only: false }, resolve);
    });
  } catch (err) {
    for (const close of opened.reverse()) await close();
    throw err;
  }
  const httpPort = (app.server.address() as AddressInfo).port;
  const metricsPort = (metricsServer.address() as AddressInfo).port;

  const ticker = setInterval(() => {
    // With a shared report log its ticks drive the timers; this clock only while the log is silent.
    guarded('tick', fault, () => {
      if (!reportLog?.timersFromLog()) tracker.tick(now());
    });
    guarded('admission prune', fault, () => admission.prune(now()));
    guarded('read admission prune', fault, () => readAdmission.prune(now()));
  }, TICK_MS);
  const pruner = setInterval(
    () => guarded('history prune', fault, () => store.pruneInBackground(now() - settings.historyRetentionMs, settings.historyMaxPulls)),
    PRUNE_EVERY_MS,
  );
  pruner.unref();
  const forgetter = setInterval(
    () => guarded('metrics layer cleanup', fault, () => metrics.forgetOldLayers(now())),
    FORGET_LAYERS_EVERY_MS,
  );
  forgetter.unref();
  ready = true;

  const loopbackHost = loopbackFor((settings.agentAddr ?? settings.httpAddr).host);
  // Shown at every log level: with `:0` the bound ports are only known from this line.
  log.child({}, { level: 'info' }).info(
    {
      httpPort,
      metricsPort,
      httpAddr: `${settings.httpAddr.host}:${httpPort}`,
      ...(agentPort !== undefined ? { agentPort, agentAddr: `${settings.agentAddr?.host ?? ''}:${agentPort}` } : {}),
      tls: Boolean(settings.tlsCertFile),
      db: isPostgresUrl(settings.db) ? redactPostgresUrl(settings.db) : settings.db,
    },
    'listening',
  );

  return {
    httpPort,
    metricsPort,
    ...(agentPort !== undefined ? { agentPort } : {}),
    loopbackUrl: `${settings.tlsCertFile ? 'https' : 'http'}://${loopbackHost}:${agentPort ?? httpPort}`,
    kubernetes: kube !== undefined,
    tracker,
    bus,
    async close() {
      ready = false;
      clearInterval(ticker);
      clearInterval(pruner);
      clearInterval(forgetter);
      hub.close();
      stopTlsWatch?.();
      correlator?.stop();
      await kube?.close();
      await closeAgentApp();
      await app.close();
      await reportLog?.close();
      await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      await store.close();
    },
  };
}

/** The agent authentication the settings ask for; refuses to start when it cannot work. */
async function createAgentAuth(
  settings: ServerSettings,
  kube: KubeWatch | undefined,
  log: Logger,
  onOutageRefusal: (retryAt: number) => void,
): Promise<AgentAuthenticator> {
  switch (settings.agentAuth) {
    case 'token':
      return sharedTokenAuth(settings.agentToken);
    case 'kubernetes': {
      const { createTokenReviewer, loadKubeConfig } = await import('../k8s/client/index.js');
      const config = loadKubeConfig(process.env);
      if (!config.ok || !kube) {
        throw new Error(
          `PULLTRACE_AGENT_AUTH=kubernetes needs the Kubernetes API, but ${config.ok ? 'the watch did not start' : config.reason}`,
        );
      }
      log.info(
        { serviceAccounts: settings.agentServiceAccounts.map((a) => `${a.namespace}:${a.name}`) },
        'agents authenticate with ServiceAccount tokens (TokenReview), each bound to its node',
      );
      return kubernetesAuth({
        review: createTokenReviewer(config.kc),
        serviceAccounts: settings.agentServiceAccounts,
        podFacts: (namespace, name) => kube.podFacts(namespace, name),
        logger: log,
        reviewRate: settings.agentReviewRate,
        cache: new ReviewCache<AgentIdentity>({ ...DEFAULT_REVIEW_CACHE, ttlMs: settings.agentReviewTtlMs }),
        onOutageRefusal,
      });
    }
    default:
      if (!isLoopbackHost((settings.agentAddr ?? settings.httpAddr).host)) {
        const reportAddr = settings.agentAddr ?? settings.httpAddr;
        log.warn(
          { [settings.agentAddr ? 'agentAddr' : 'httpAddr']: `${reportAddr.host}:${reportAddr.port}` },
          'agent reports are not authenticated (PULLTRACE_AGENT_AUTH=none) and the API is reachable from the network: anyone who can connect can post pulls for any node; use kubernetes or token',
        );
      }
      return noAuth();
  }
}

/** On loopback, the Host names a listener answers (DNS rebinding guard); no check elsewhere. */
function hostCheckFor(host: string, allowedHosts: string[]): { allowedHosts?: ReadonlySet<string> } {
  return isLoopbackHost(host) ? { allowedHosts: allowedHostNames(host, allowedHosts) } : {};
}

function loopbackFor(host: string): string {
  if (host === '' || host === '0.0.0.0' || host === '::' || host === '127.0.0.1') return '127.0.0.1';
  if (host === '::1') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
