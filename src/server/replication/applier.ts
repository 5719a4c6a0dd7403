// The one place the live state changes. Every change — an agent's report, a timer tick, a
// Kubernetes action — reaches the tracker through here, whichever report log carried it
// (reportLog.ts): locally the moment it is appended, or from the shared NATS log in stream order.
// A change read from the shared log carries its stream sequence: the events it causes get ids
// every replica gives alike (streamEventIds.ts). The bracket that numbers them is here, once.
import type { AgentReport } from '../../model/index.js';
import { applyKubeAction, type KubeAction } from '../correlation/kubeAction.js';
import type { CapacityError, PullTracker, ReportLimitError } from '../tracker/pullTracker.js';
import { StreamEventIds } from './streamEventIds.js';

/** Told of every Kubernetes action applied: the pull it concerned, undefined when a pull to create found no room. */
export type KubeActionApplied = (action: KubeAction, pullId: string | undefined) => void;

export class Applier {
  private readonly ids = new StreamEventIds();
  private kubeApplied: KubeActionApplied = () => {};

  constructor(readonly tracker: PullTracker) {}

  /** The correlator hears what its actions did (a refused creation is counted as a rejected Event). */
  onKubeActionApplied(listener: KubeActionApplied): void {
    this.kubeApplied = listener;
  }

  /** Why the tracker cannot take `report` now (the same refusal applying it would throw), or undefined. */
  refusal(report: AgentReport): CapacityError | ReportLimitError | undefined {
    return this.tracker.reportRefusal(report);
  }

  /** Applies a node's report; throws CapacityError or ReportLimitError, changing nothing, when it cannot. */
  report(report: AgentReport, at: number, seq?: number, cluster?: string): void {
    this.numbered(seq, () => this.tracker.applyReport(report, at, cluster));
  }

  /** Timer decisions (stalls, silent nodes, slow pulls, TTL) as of `at`. */
  tick(at: number, seq?: number): void {
    this.numbered(seq, () => this.tracker.tick(at));
  }

  kubeAction(action: KubeAction, at: number, seq?: number): void {
    this.numbered(seq, () => this.kubeApplied(action, applyKubeAction(this.tracker, action, at)));
  }

  /** The SSE id of the event being published: derived from the stream sequence, or undefined (the hub numbers it). */
  nextEventId(): number | undefined {
    return this.ids.next();
  }

  /** Events published while `work` runs are numbered after `seq` when it came from the shared log. */
  private numbered(seq: number | undefined, work: () => void): void {
    if (seq === undefined) {
      work();
      return;
    }
    this.ids.begin(seq);
    try {
      work();
    } finally {
      this.ids.end();
    }
  }
}
