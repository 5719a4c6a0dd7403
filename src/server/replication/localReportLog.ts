// The report log of a single server: appending a change applies it at once, and a timer ticks on
// this process's clock. The same interface as the shared log, so routes and the correlator do
// not know which they use.

import type { FaultReporter } from '../../log/index.js';
import type { AgentReport } from '../../model/index.js';
import type { KubeAction } from '../correlation/kubeAction.js';
import type { Applier } from './applier.js';
import type { ReportLog } from './reportLog.js';

/** How often timers (stalls, silent nodes, slow pulls, TTL) are decided. */
export const LOCAL_TICK_MS = 1000;

export interface LocalReportLogOptions {
  now: () => number;
  /** an exception in a tick is reported here, and the next tick runs */
  onFault?: FaultReporter;
  tickMs?: number;
}

export class LocalReportLog implements ReportLog {
  readonly isSynced = true;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly applier: Applier,
    private readonly options: LocalReportLogOptions,
  ) {}

  async appendReport(report: AgentReport): Promise<void> {
    this.applier.report(report, this.options.now());
  }

  appendKubeAction(action: KubeAction): void {
    this.applier.kubeAction(action, this.options.now());
  }

  async open(): Promise<void> {
    if (this.ticker) return;
    this.ticker = setInterval(() => this.tick(), this.options.tickMs ?? LOCAL_TICK_MS);
  }

  /** One tick now (the timer's). */
  tick(): void {
    try {
      this.applier.tick(this.options.now());
    } catch (err) {
      this.options.onFault?.('tick', err);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }
}
