// Where every change to the live state is appended: routes append agents' reports, the Kubernetes
// correlator its actions, and the log's own clock its ticks. Nothing else changes the tracker:
// the applier (applier.ts) applies what the log carries. Two implementations:
// - local (localReportLog.ts): a single server; appending applies at once, ticks from a timer;
// - NATS JetStream (natsReportLog.ts, PULLTRACE_BUS): replicas; every replica applies every
//   appended change in stream order, ticks included.
// A single server is the degenerate replica: the same calls, the same answers to agents.
import type { AgentReport } from '../../model/index.js';
import type { KubeAction } from '../correlation/kubeAction.js';

export interface ReportLog {
  /**
   * Appends an agent's report. Resolves once it is accepted (applied here, or in the shared log);
   * rejects with CapacityError or ReportLimitError, nothing appended, when the tracker cannot take
   * it now — the same refusal in both implementations.
   */
  appendReport(report: AgentReport): Promise<void>;
  /** Appends a Kubernetes action the correlator decided (applied alike by every replica). */
  appendKubeAction(action: KubeAction): void;
  /** Starts applying: the shared log reads every node's latest report first; ticks start. */
  open(): Promise<void>;
  /** Every node's latest report is applied (always, for the local log). */
  readonly isSynced: boolean;
  /** A line for /readyz's body, when the log has a state worth saying. */
  detail?(): string;
  close(): Promise<void>;
}
