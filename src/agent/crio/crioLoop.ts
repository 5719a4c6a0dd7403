// The agent's heartbeat on a CRI-O node: every report interval, read the node's pull folders and
// storage (CrioSource) and hand the snapshot to the reporter. Trouble reading is logged once per
// kind and never stops the loop.
import type { AgentSettings } from '../../config/index.js';
import type { Logger } from '../../log/index.js';
import type { AgentReport } from '../../model/index.js';
import { VERSION } from '../../version.js';
import { Reporter } from '../reporter.js';
import type { CrioSource } from './crioSource.js';

export interface CrioLoopOptions {
  settings: AgentSettings;
  logger: Logger;
  source: CrioSource;
  /** CRI-O's version when its socket answered */
  runtimeVersion?: string;
  ca?: string;
}

export class CrioLoop {
  private readonly reporter: Reporter;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private trouble: string | undefined;

  constructor(private readonly opts: CrioLoopOptions) {
    this.reporter = new Reporter({
      serverUrl: opts.settings.serverUrl,
      token: opts.settings.agentToken,
      ...(opts.settings.agentTokenFile ? { tokenFile: opts.settings.agentTokenFile } : {}),
      ...(opts.ca ? { ca: opts.ca } : {}),
      timeoutMs: Math.max(2_000, opts.settings.reportIntervalMs * 3),
      logger: opts.logger,
      onDelivered: (report) => opts.source.delivered(report.pulls),
    });
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.reporter.close();
    this.opts.source.close();
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
    try {
      await this.opts.source.poll(started);
      if (this.trouble) this.opts.logger.info({}, 'reading the CRI-O node files works again');
      this.trouble = undefined;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (this.trouble !== reason)
        this.opts.logger.warn({ reason, paths: this.opts.source.paths }, 'reading the CRI-O node files failed; retrying');
      this.trouble = reason;
    }
    try {
      this.reporter.offer(this.snapshot());
    } catch (err) {
      this.opts.logger.error({ err }, 'agent report failed unexpectedly');
    }
    this.schedule(Math.max(0, this.opts.settings.reportIntervalMs - (Date.now() - started)));
  }

  private snapshot(): AgentReport {
    return {
      nodeName: this.opts.settings.nodeName,
      timestamp: new Date().toISOString(),
      agent: {
        version: VERSION,
        runtime: 'cri-o',
        ...(this.opts.runtimeVersion ? { runtimeVersion: this.opts.runtimeVersion } : {}),
      },
      pulls: this.opts.source.report(),
    };
  }
}
