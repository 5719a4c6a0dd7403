// The agent's heartbeat: every report interval, poll containerd and hand the snapshot to the
// reporter. Transient trouble (containerd restarting, server down) is logged once per outage and
// never stops the loop; containerd is re-verified (Version) whenever it comes back.
import type { AgentSettings } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { AgentReport } from '../model/index.js';
import { VERSION } from '../version.js';
import { ContainerdClient } from './containerd/client.js';
import { ContainerdUnavailableError, NotContainerdError, verifyContainerd } from './containerd/connect.js';
import type { RuntimeVersion } from './containerd/types.js';
import { mergeNamespaceReports } from './mergeNamespaceReports.js';
import { NamespaceWatch } from './namespaceWatch.js';
import { Reporter } from './reporter.js';

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
  /**
   * Follow every containerd namespace (re-listed each poll, so a new one is picked up) instead of
   * the client's one: `standalone` without Kubernetes, where ctr/nerdctl pull into `default`.
   */
  allNamespaces?: boolean;
}

export class AgentLoop {
  /** namespace → what is followed there; one report carries the pulls of all of them */
  private readonly watches = new Map<string, NamespaceWatch>();
  private readonly reporter: Reporter;
  private saidNamespaces = false;
  private runtime: RuntimeVersion | undefined;
  private outage: { since: number; reason: string } | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: AgentLoopOptions) {
    this.runtime = opts.runtime;
    if (!opts.allNamespaces) this.watches.set(opts.client.namespace, this.watchFor(opts.client));
    this.reporter = new Reporter({
      serverUrl: opts.settings.serverUrl,
      token: opts.settings.agentToken,
      ...(opts.settings.agentTokenFile ? { tokenFile: opts.settings.agentTokenFile } : {}),
      ...(opts.ca ? { ca: opts.ca } : {}),
      // A report slower than a few intervals is as good as lost: the next snapshot supersedes it.
      timeoutMs: Math.max(2_000, opts.settings.reportIntervalMs * 3),
      logger: opts.logger,
      onDelivered: (report) => {
        for (const w of this.watches.values()) w.pulls.delivered(report.pulls);
      },
    });
  }

  start(): void {
    for (const w of this.watches.values()) w.start();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watches.values()) w.stop();
    await this.running;
    await this.reporter.close();
    for (const w of this.watches.values()) if (w.client !== this.opts.client) w.client.close();
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
          {
            socket: client.socketPath,
            namespace: this.opts.allNamespaces ? 'every namespace' : client.namespace,
            runtimeVersion: this.runtime.version,
          },
          'connected to containerd',
        );
      }
      if (this.opts.allNamespaces) await this.followNamespaces(await client.listNamespaces());
      for (const w of this.watches.values()) await w.poll(nowMs);
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
    for (const w of this.watches.values()) w.pulls.containerdWasDown(this.outage.since);
    this.opts.logger.info(
      { downForMs: Date.now() - this.outage.since, runtimeVersion: this.runtime?.version },
      'containerd reachable again',
    );
    this.outage = undefined;
  }

  private watchFor(client: ContainerdClient): NamespaceWatch {
    return new NamespaceWatch(client, this.opts.logger.child({ namespace: client.namespace }), this.opts.settings.unpackTimeoutMs);
  }

  /** Starts following namespaces that appeared, stops following those that are gone; says what it follows. */
  private async followNamespaces(names: string[]): Promise<void> {
    const { client, logger } = this.opts;
    const added = names.filter((n) => !this.watches.has(n));
    for (const name of added) {
      const watch = this.watchFor(new ContainerdClient(client.socketPath, name));
      this.watches.set(name, watch);
      watch.start();
      // Namespaces there at start hold no pull missed; one created since may (its first pull).
      if (this.saidNamespaces) await watch.catchUp();
    }
    for (const [name, watch] of this.watches) {
      if (names.includes(name)) continue;
      watch.stop();
      watch.client.close();
      this.watches.delete(name);
    }
    if (!this.saidNamespaces) {
      this.saidNamespaces = true;
      logger.info(
        { namespaces: [...this.watches.keys()] },
        `following every containerd namespace (now: ${[...this.watches.keys()].join(', ') || 'none yet'}); --containerd-namespace follows one`,
      );
    } else if (added.length > 0) {
      logger.info({ namespaces: added }, `following new containerd namespace ${added.join(', ')}`);
    }
  }

  private snapshot(): AgentReport {
    const report: AgentReport = {
      nodeName: this.opts.settings.nodeName,
      timestamp: new Date().toISOString(),
      agent: { version: VERSION, runtime: 'containerd' },
      pulls: mergeNamespaceReports([...this.watches.values()].map((w) => w.pulls.report())),
    };
    if (this.runtime?.version && report.agent) report.agent.runtimeVersion = this.runtime.version;
    return report;
  }
}
