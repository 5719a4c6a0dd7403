// The nine Prometheus metrics of the contract, fed by the event bus and by gauges read from
// the tracker at scrape time. No label grows without bound (no image, pod or pull id labels).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PullEvent } from '../../model/index.js';

export interface GaugeSources {
  counts(): { active: number; stalled: number };
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
] as const;

/** A layer's bytes are counted once per node, however many pulls share it; a layer not seen for
 * this long is forgotten (longer than any pause between two reports of a download). */
const COUNTED_LAYER_TTL_MS = 10 * 60_000;

export class PullMetrics {
  readonly registry = new Registry();
  private readonly pullsTotal: Counter;
  private readonly duration: Histogram;
  private readonly errorsTotal: Counter;
  private readonly reportsTotal: Counter;
  /** node → digest → bytes already counted (nested: no key string built per layer event) */
  private readonly countedLayerBytes = new Map<string, Map<string, { bytes: number; at: number }>>();
  private lastTimestamp = { text: '', ms: 0 };
  /** bytes counted since the last scrape, added to pulltrace_pull_bytes_total when it is collected */
  private uncountedBytes = 0;

  constructor(sources: GaugeSources) {
    const registers = [this.registry];
    new Gauge({
      name: 'pulltrace_pulls_active',
      help: 'Pulls in progress (pulling or stalled).',
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
    this.errorsTotal = new Counter({ name: 'pulltrace_pull_errors_total', help: 'Pulls that ended failed.', registers });
    this.reportsTotal = new Counter({ name: 'pulltrace_agent_reports_total', help: 'Agent reports accepted.', registers });
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
        if (pull?.completedAt) this.duration.observe(Math.max(0, (Date.parse(pull.completedAt) - Date.parse(pull.startedAt)) / 1000));
        this.countLayers(event);
        break;
      case 'pull.failed':
        this.errorsTotal.inc();
        break;
      case 'layer.progress':
      case 'layer.completed':
        this.countLayers(event);
        break;
    }
  }

  /** Adds the growth of each layer's downloaded bytes, keyed by node and digest. */
  private countLayers(event: PullEvent): void {
    // The layer events of one report share one timestamp string: parse it once.
    if (event.timestamp !== this.lastTimestamp.text) this.lastTimestamp = { text: event.timestamp, ms: Date.parse(event.timestamp) };
    const now = this.lastTimestamp.ms;
    const layers = event.layer ? [event.layer] : (event.pull?.layers ?? []);
    let node = this.countedLayerBytes.get(event.nodeName);
    if (!node) {
      node = new Map();
      this.countedLayerBytes.set(event.nodeName, node);
    }
    for (const l of layers) {
      if (l.state === 'cached') continue;
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
