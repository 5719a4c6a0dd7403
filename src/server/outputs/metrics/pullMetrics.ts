// The nine Prometheus metrics of the contract, fed by the event bus and by gauges read from
// the tracker at scrape time. No label grows without bound (no image, pod or pull id labels).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FAILURE_REASONS, type FailureReason, type PullEvent, type PullStatus } from '../../../model/index.js';

export interface GaugeSources {
  counts(): { active: number; stalled: number; slow?: number };
  agentsConnected(): number;
  sseClients(): number;
}

export const METRIC_NAMES = [
  'pulltrace_pulls_active',
  'pulltrace_pulls_total',
  'pulltrace_pull_duration_seconds',
  'pulltrace_pull_bytes_total',
  'pulltrace_pull_errors_total',
  'pulltrace_agent_reports_total',
  'pulltrace_sse_clients_active',
  'pulltrace_agents_connected',
  'pulltrace_pulls_stalled',
  'pulltrace_kube_events_rejected_total',
  'pulltrace_pull_unpack_duration_seconds',
  'pulltrace_pull_wait_seconds',
  'pulltrace_pulls_slow',
] as const;

/** why a kubelet-looking Event was not believed (a bounded label) */
export const KUBE_EVENT_REJECTION_REASONS = [
  'foreign_namespace',
  'pod_absent',
  'wrong_node',
  'image_not_in_pod',
  'pod_not_on_pull',
  'pod_not_waiting_on_pull',
  'hold_quota',
  'capacity',
] as const;

/** Pulls whose queue time was observed, so a later annotation of the same pull is not counted twice. */
const MAX_WAIT_OBSERVED = 10_000;

/** A layer's bytes are counted once per node, however many pulls share it; a layer not seen for
 * this long is forgotten (longer than any pause between two reports of a download). */
const COUNTED_LAYER_TTL_MS = 10 * 60_000;

export class PullMetrics {
  readonly registry = new Registry();
  private readonly pullsTotal: Counter;
  private readonly duration: Histogram;
  private readonly errorsTotal: Counter;
  private readonly reportsTotal: Counter;
  private readonly kubeEventsRejected: Counter<'reason'>;
  private readonly unpackDuration: Histogram;
  private readonly waitSeconds: Histogram;
  private readonly waitObserved = new Set<string>();
  /** node → digest → bytes already counted (nested: no key string built per layer event) */
  private readonly countedLayerBytes = new Map<string, Map<string, { bytes: number; at: number }>>();
  private lastTimestamp = { text: '', ms: 0 };
  /** bytes counted since the last scrape, added to pulltrace_pull_bytes_total when it is collected */
  private uncountedBytes = 0;

  constructor(sources: GaugeSources) {
    const registers = [this.registry];
    new Gauge({
      name: 'pulltrace_pulls_active',
      help: 'Pulls in progress (pulling, stalled or unpacking).',
      registers,
      collect() {
        this.set(sources.counts().active);
      },
    });
    new Gauge({
      name: 'pulltrace_pulls_stalled',
      help: 'Pulls with no byte progress for STALL_TIMEOUT.',
      registers,
      collect() {
        this.set(sources.counts().stalled);
      },
    });
    new Gauge({
      name: 'pulltrace_agents_connected',
      help: 'Agents heard from within three report intervals.',
      registers,
      collect() {
        this.set(sources.agentsConnected());
      },
    });
    new Gauge({
      name: 'pulltrace_sse_clients_active',
      help: 'Connected /api/v1/events clients.',
      registers,
      collect() {
        this.set(sources.sseClients());
      },
    });
    this.pullsTotal = new Counter({ name: 'pulltrace_pulls_total', help: 'Pulls seen since the server started.', registers });
    this.duration = new Histogram({
      name: 'pulltrace_pull_duration_seconds',
      help: 'Duration of completed pulls.',
      buckets: [1, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    const counted = this;
    new Counter({
      name: 'pulltrace_pull_bytes_total',
      help: 'Bytes downloaded; a layer shared by concurrent pulls on a node counts once.',
      registers,
      // Added at scrape time: a report can bring thousands of layer events, and Counter.inc
      // per event cost more than the rest of the event's handling.
      collect() {
        if (counted.uncountedBytes > 0) this.inc(counted.uncountedBytes);
        counted.uncountedBytes = 0;
      },
    });
    this.errorsTotal = new Counter({
      name: 'pulltrace_pull_errors_total',
      help: 'Pulls that ended failed, by failure kind (reason: one of a fixed list, see failureReason).',
      labelNames: ['reason'],
      registers,
    });
    // Every reason exists from the start, so rate() and alerts see a 0 before the first failure.
    for (const reason of FAILURE_REASONS) this.errorsTotal.inc({ reason }, 0);
    new Gauge({
      name: 'pulltrace_pulls_slow',
      help: 'Pulling pulls whose ETA exceeds SLOW_ETA or whose rate stayed below SLOW_RATE for a minute.',
      registers,
      collect() {
        this.set(sources.counts().slow ?? 0);
      },
    });
    this.unpackDuration = new Histogram({
      name: 'pulltrace_pull_unpack_duration_seconds',
      help: 'Unpack part of completed pulls: from the last blob on the node to the image record (or kubelet Pulled).',
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.waitSeconds = new Histogram({
      name: 'pulltrace_pull_wait_seconds',
      help: 'Time pulls queued in the kubelet before starting (kubelet\'s "including waiting" minus the pull time).',
      buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.reportsTotal = new Counter({ name: 'pulltrace_agent_reports_total', help: 'Agent reports accepted.', registers });
    this.kubeEventsRejected = new Counter({
      name: 'pulltrace_kube_events_rejected_total',
      help: 'Kubelet-looking Events that changed nothing: their pod or its status does not agree (forged, or about an unwatched pod), or no room.',
      labelNames: ['reason'],
      registers,
    });
    // every reason is shown from the start, so a rate() over it works before the first rejection
    for (const reason of KUBE_EVENT_REJECTION_REASONS) this.kubeEventsRejected.inc({ reason }, 0);
  }

  kubeEventRejected(reason: (typeof KUBE_EVENT_REJECTION_REASONS)[number]): void {
    this.kubeEventsRejected.inc({ reason });
  }

  reportAccepted(): void {
    this.reportsTotal.inc();
  }

  onEvent(event: PullEvent): void {
    const pull = event.pull;
    switch (event.type) {
      case 'pull.started':
        this.pullsTotal.inc();
        break;
      case 'pull.completed':
        if (pull) {
          observeSeconds(this.duration, pull.startedAt, pull.completedAt);
          observeSeconds(this.unpackDuration, pull.unpackStartedAt, pull.completedAt);
          this.observeWait(pull);
        }
        this.countLayers(event);
        break;
      case 'pull.failed':
        // Only the fixed list: a pull carrying anything else must not add a label value.
        this.errorsTotal.inc({ reason: failureLabel(pull?.failureReason) });
        break;
      case 'pull.progress':
        // kubelet's queue time can arrive after completion, as progress of the finished pull.
        if (pull) this.observeWait(pull);
        break;
      case 'layer.progress':
      case 'layer.completed':
        this.countLayers(event);
        break;
    }
  }

  private observeWait(pull: PullStatus): void {
    if (!isAmount(pull.waitSeconds) || this.waitObserved.has(pull.id)) return;
    if (this.waitObserved.size >= MAX_WAIT_OBSERVED) this.waitObserved.delete(this.waitObserved.values().next().value as string);
    this.waitObserved.add(pull.id);
    this.waitSeconds.observe(pull.waitSeconds);
  }

  /** Adds the growth of each layer's downloaded bytes, keyed by node and digest. */
  private countLayers(event: PullEvent): void {
    // The layer events of one report share one timestamp string: parse it once.
    if (event.timestamp !== this.lastTimestamp.text) this.lastTimestamp = { text: event.timestamp, ms: Date.parse(event.timestamp) };
    const now = this.lastTimestamp.ms;
    const layers = event.layer ? [event.layer] : Array.isArray(event.pull?.layers) ? event.pull.layers : [];
    let node = this.countedLayerBytes.get(event.nodeName);
    if (!node) {
      node = new Map();
      this.countedLayerBytes.set(event.nodeName, node);
    }
    for (const l of layers) {
      // cached: nobody downloaded it; shared: its owner's layer carries the bytes.
      if (l.state === 'cached' || l.state === 'shared') continue;
      // A count that is no count would poison the running total (and every later scrape).
      if (!isAmount(l.downloadedBytes)) continue;
      const seen = node.get(l.digest);
      const delta = l.downloadedBytes - (seen?.bytes ?? 0);
      if (delta > 0) this.uncountedBytes += delta;
      if (!seen) node.set(l.digest, { bytes: l.downloadedBytes, at: now });
      else if (delta > 0) {
        seen.bytes = l.downloadedBytes;
        seen.at = now;
      }
    }
  }

  /** Forgets layers not seen for an hour; called from the server's timer, never per event. */
  forgetOldLayers(now: number): void {
    for (const [node, layers] of this.countedLayerBytes) {
      for (const [digest, v] of layers) if (now - v.at > COUNTED_LAYER_TTL_MS) layers.delete(digest);
      if (layers.size === 0) this.countedLayerBytes.delete(node);
    }
  }
}

/** A number a metric can take: finite, not negative. */
function isAmount(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

function failureLabel(reason: unknown): FailureReason {
  return FAILURE_REASONS.includes(reason as FailureReason) ? (reason as FailureReason) : 'unknown';
}

/** Observes the seconds from `from` to `to` when both are times; a missing or unreadable one is no sample. */
function observeSeconds(histogram: Histogram, from: unknown, to: unknown): void {
  if (typeof from !== 'string' || typeof to !== 'string') return;
  const seconds = (Date.parse(to) - Date.parse(from)) / 1000;
  if (Number.isFinite(seconds)) histogram.observe(Math.max(0, seconds));
}
