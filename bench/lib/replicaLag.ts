// Replication lag as a viewer sees it, for the ingest benchmark with replicas: a few probe nodes
// post a report with a new byte count every `intervalMs`, in turn to each replica, and a viewer on
// every replica (filtered to the probe nodes, `layers=0`) records when that count first shows. The
// lag on another replica is the time from posting the report to its first event on a replica that
// did not take it; the same replica's figure is printed beside it. Both include the post (which
// waits for NATS's acknowledgement) and the SSE hub's batching (250 ms), as a browser would see.
import { SseRecorder } from '../../test/kit/index.js';
import { percentile } from './percentile.js';

export interface LagSummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LagFigures {
  /** report posted to one replica → its event on another */
  otherReplica: LagSummary;
  /** report posted to one replica → its event on the same replica */
  sameReplica: LagSummary;
  probes: number;
  /** probes whose event some replica never showed within the wait at the end */
  missed: number;
}

interface Probe {
  node: string;
  bytes: number;
  replica: number;
  sentAt: number;
}

const PROBE_NODES = 4;
const MiB = 1048576;
/** after the last probe, how long the replicas get to show it */
const SETTLE_MS = 5_000;

export class ReplicaLagProbe {
  private readonly probes: Probe[] = [];
  private readonly startedAt = new Date().toISOString();
  private timer: NodeJS.Timeout | undefined;
  private count = 0;

  private constructor(
    private readonly urls: string[],
    private readonly viewers: SseRecorder[],
    private readonly intervalMs: number,
  ) {}

  /** Opens one probe viewer per replica; probing starts with begin(). */
  static async open(urls: string[], intervalMs = 200): Promise<ReplicaLagProbe> {
    const viewers = await Promise.all(urls.map((u) => SseRecorder.connect(`${u}/api/v1/events?layers=0&node=lag-probe-`)));
    return new ReplicaLagProbe(urls, viewers, intervalMs);
  }

  begin(): void {
    this.timer = setInterval(() => void this.send(), this.intervalMs);
  }

  /** Stops probing, waits for the replicas to show the last probes (bounded), and summarises. */
  async end(): Promise<LagFigures> {
    clearInterval(this.timer);
    const deadline = performance.now() + SETTLE_MS;
    while (performance.now() < deadline && this.results().missed > 0) await new Promise((r) => setTimeout(r, 100));
    for (const v of this.viewers) v.close();
    return this.results();
  }

  private async send(): Promise<void> {
    const k = this.count++;
    const node = `lag-probe-${k % PROBE_NODES}`;
    // Each probe of a node carries more bytes than the one before: its first event at or above that count is its own.
    const bytes = (Math.floor(k / PROBE_NODES) + 1) * MiB;
    const replica = k % this.urls.length;
    const sentAt = performance.now();
    try {
      const res = await fetch(`${this.urls[replica]}/api/v1/report`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(this.report(node, bytes)),
      });
      await res.arrayBuffer();
      if (res.status === 200) this.probes.push({ node, bytes, replica, sentAt });
    } catch {
      // a refused or failed probe is not a lag sample
    }
  }

  private report(node: string, bytes: number) {
    return {
      nodeName: node,
      pulls: [
        {
          imageRef: 'registry.example.com/lag-probe:1',
          manifestDigest: `sha256:${'1'.repeat(64)}`,
          status: 'pulling',
          totalKnown: true,
          startedAt: this.startedAt,
          layers: [
            {
              digest: `sha256:${'2'.repeat(64)}`,
              mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
              totalBytes: 2 ** 40,
              downloadedBytes: bytes,
              totalKnown: true,
            },
          ],
        },
      ],
    };
  }

  private results(): LagFigures {
    // Per replica and node: (arrival, bytes) of each pull event, in arrival order.
    const seen = this.viewers.map((v) => {
      const byNode = new Map<string, Array<[number, number]>>();
      v.messages.forEach((m, i) => {
        if (m.event) return;
        const e = JSON.parse(m.data) as { nodeName: string; pull?: { downloadedBytes: number } };
        if (!e.pull) return;
        let list = byNode.get(e.nodeName);
        if (!list) {
          list = [];
          byNode.set(e.nodeName, list);
        }
        list.push([v.arrivals[i] ?? 0, e.pull.downloadedBytes]);
      });
      return byNode;
    });
    const other: number[] = [];
    const same: number[] = [];
    let missed = 0;
    for (const p of this.probes) {
      for (const [r, byNode] of seen.entries()) {
        const hit = byNode.get(p.node)?.find(([at, bytes]) => at >= p.sentAt && bytes >= p.bytes);
        if (!hit) {
          missed++;
          continue;
        }
        (r === p.replica ? same : other).push(hit[0] - p.sentAt);
      }
    }
    return { otherReplica: summary(other), sameReplica: summary(same), probes: this.probes.length, missed };
  }
}

function summary(values: number[]): LagSummary {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: percentile(sorted, 100) };
}
