// The set-up every test of the tracker (and of what sits on it) needs: a real tracker on a real
// event bus with every event kept, and builders of agent reports. Tests only; not in the build.
import type { AgentReport, PullEvent, ReportLayer, ReportPull } from '../../model/index.js';
import { PullEventBus } from '../events/pullEventBus.js';
import { PullTracker, type TrackerLimits } from './pullTracker.js';

export const MiB = 1048576;
export const GZIP_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** Limits roomy enough that no test meets them unless it sets them. */
export const FIXTURE_LIMITS: TrackerLimits = { stallTimeoutMs: 30_000, historyTtlMs: 60_000, maxNodes: 100, maxPulls: 100 };

export interface TrackerFixture {
  tracker: PullTracker;
  bus: PullEventBus;
  /** every event the tracker emitted, in order */
  events: PullEvent[];
}

export function trackerFixture(limits: Partial<TrackerLimits> = {}): TrackerFixture {
  const bus = new PullEventBus();
  const events: PullEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const tracker = new PullTracker(bus, { ...FIXTURE_LIMITS, ...limits });
  return { tracker, bus, events };
}

/** One layer as an agent reports it (gzip, size known). */
export function reportLayer(digest: string, totalBytes: number, downloadedBytes: number, state?: ReportLayer['state']): ReportLayer {
  return { digest, mediaType: GZIP_LAYER, totalBytes, downloadedBytes, totalKnown: true, ...(state ? { state } : {}) };
}

/** A pulling image `127.0.0.1/<name>:1` with manifest `sha256:<name>`. */
export function reportPull(name: string, layers: ReportLayer[], extra: Partial<ReportPull> = {}): ReportPull {
  return {
    imageRef: `127.0.0.1/${name}:1`,
    manifestDigest: `sha256:${name}`,
    status: 'pulling',
    totalKnown: true,
    layers,
    ...extra,
  };
}

export function agentReport(nodeName: string, pulls: ReportPull[]): AgentReport {
  return { nodeName, pulls };
}
