// The agent's heartbeat: every report interval, poll containerd and hand the snapshot to the
// reporter. Transient trouble (containerd restarting, server down) is logged once per outage and
// never stops the loop; containerd is re-verified (Version) whenever it comes back.
import type { AgentSettings } from '../cli/settings.js';
import type { Logger } from '../log/index.js';
import type { AgentReport } from '../model/index.js';
import { VERSION } from '../version.js';
import type { ContainerdClient } from './containerd/client.js';
import { ContainerdUnavailableError, NotContainerdError, verifyContainerd } from './containerd/connect.js';
import type { RuntimeVersion } from './containerd/types.js';
import { ImageEventWatcher } from './imageEventWatcher.js';
import { Poller } from './poller.js';
import { Reporter } from './reporter.js';
import { NodePulls } from './resolver/nodePulls.js';

const MAX_BACKOFF_MS = 5_000;
/** grpc-js status for "could not reach the server". */
const GRPC_UNAVAILABLE = 14;

export interface AgentLoopOptions {
  settings: AgentSettings;
  logger: Logger;
  client: ContainerdClient;
  /** set when startAgent already verified containerd */
  runtime?: RuntimeVersion;
  /** PEM CA bundle for an https:// server (PULLTRACE_SERVER_CA_FILE, read at start) */
  ca?: string;
}

export class AgentLoop {
  private readonly pulls: NodePulls;
  private readonly poller: Poller;
  private readonly reporter: Reporter;
  private readonly imageEvents: ImageEventWatcher;
  private runtime: RuntimeVersion | undefined;
  private outage: { since: number; reason: string } | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: AgentLoopOptions) {
    this.runtime = opts.runtime;
    this.pulls = new NodePulls({ unpackTimeoutMs: opts.settings.unpackTimeoutMs });
    this.poller = new Poller(opts.client, this.pulls, opts.logger);
    this.imageEvents = new ImageEventWatcher(opts.client, opts.logger);
    this.reporter = new Reporter({
      serverUrl: opts.settings.serverUrl,
      token: opts.settings.agentToken,
      ...(opts.settings.agentTokenFile ? { tokenFile: opts.settings.agentTokenFile } : {}),
      ...(opts.ca ? { ca: opts.ca } : {}),
      // A report slower than a few intervals is as good as lost: the next snapshot supersedes it.
      timeoutMs: Math.max(2_000, opts.settings.reportIntervalMs * 3),
      logger: opts.logger,
      onDelivered: (report) => this.pulls.delivered(report.pulls),
    });
  }

  start(): void {
    this.imageEvents.start();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.imageEvents.stop();
    await this.running;
    await this.reporter.close();
    this.opts.client.close();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
      });
    }, delayMs);
  }

  private async tick(): Promise<void> {
    const started = Date.now();
    let ok = false;
    try {
      ok = await this.pollContainerd(started);
      this.reporter.offer(this.snapshot());
    } catch (err) {
      // A bug must not end the agent: say so loudly and keep the heartbeat going.
      this.opts.logger.error({ err }, 'agent poll failed unexpectedly');
    }
    const interval = this.opts.settings.reportIntervalMs;
    const delay = ok ? interval - (Date.now() - started) : Math.min(MAX_BACKOFF_MS, interval * 2 ** Math.min(this.failures, 6));
    this.schedule(Math.max(0, delay));
  }

  /** One poll; false when containerd could not be read (the loop then backs off). */
  private async pollContainerd(nowMs: number): Promise<boolean> {
    const { client, logger } = this.opts;
    try {
      if (!this.runtime) {
        this.runtime = await verifyContainerd(client);
        logger.info(
          { socket: client.socketPath, namespace: client.namespace, runtimeVersion: this.runtime.version },
          'connected to containerd',
        );
      }
      await this.poller.pollOnce(nowMs, this.imageEvents.drain());
      this.recovered();
      return true;
    } catch (err) {
      const lost = err instanceof ContainerdUnavailableError || (err as { code?: number }).code === GRPC_UNAVAILABLE;
      if (!lost && !(err instanceof NotContainerdError)) logger.debug({ err }, 'poll failed');
      // After a restart containerd may be another build (or another program): prove it again.
      if (lost || err instanceof NotContainerdError) this.runtime = undefined;
      this.failed(err instanceof Error ? err.message : String(err), lost);
      return false;
    }
  }

  // One warning per outage; a restart walks through several reasons (connection lost, socket gone,
  // refused), which only debug shows.
  private failed(reason: string, lost: boolean): void {
    this.failures++;
    if (this.outage) {
      if (this.outage.reason !== reason) this.opts.logger.debug({ reason }, 'containerd still not usable');
      this.outage.reason = reason;
      return;
    }
    this.outage = { since: Date.now(), reason };
    const msg = lost ? 'cannot reach containerd; retrying with backoff' : 'polling containerd failed; retrying';
    this.opts.logger.warn({ socket: this.opts.client.socketPath, reason }, msg);
  }

  private recovered(): void {
    this.failures = 0;
    if (!this.outage) return;
    this.pulls.containerdWasDown(this.outage.since);
    this.opts.logger.info(
      { downForMs: Date.now() - this.outage.since, runtimeVersion: this.runtime?.version },
      'containerd reachable again',
    );
    this.outage = undefined;
  }

  private snapshot(): AgentReport {
    const report: AgentReport = {
      nodeName: this.opts.settings.nodeName,
      timestamp: new Date().toISOString(),
      agent: { version: VERSION, runtime: 'containerd' },
      pulls: this.pulls.report(),
    };
    if (this.runtime?.version && report.agent) report.agent.runtimeVersion = this.runtime.version;
    return report;
  }
}
