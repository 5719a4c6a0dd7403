import { createHash } from 'node:crypto';
import type { AgentReport, ReportLayer, ReportPull } from '../../src/model/index.js';

/** Small seeded PRNG (mulberry32) so every run simulates the same cluster. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MiB = 1024 * 1024;
const LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';
const IMAGES = Array.from({ length: 60 }, (_, i) => `registry.example.com/team-${i % 7}/service-${i}:1.${i % 5}.0`);
/** containerd downloads up to 3 layers of a pull at once */
const PARALLEL_LAYERS = 3;

interface SimLayer {
  digest: string;
  totalBytes: number;
  downloadedBytes: number;
  cached: boolean;
}

interface SimPull {
  imageRef: string;
  manifestDigest: string;
  startedAt: string;
  bytesPerSec: number;
  layers: SimLayer[];
  /** set on the report that announces the end; the pull is dropped from the next report */
  ended?: 'completed' | 'failed';
}

export function nodeName(index: number): string {
  return `node-${String(index).padStart(5, '0')}`;
}

export interface SimulatedNodeOptions {
  /**
   * Rollout profile: this share of nodes (chosen by seed) always has one 8-layer pull going (a new
   * one starts when one ends), the others report no pulls. Unset: the busy-cluster mix.
   */
  pullingShare?: number;
}

/**
 * One simulated node: 0–3 pulls of 3–8 layers at a time, bytes advancing every report, pulls
 * ending (a few percent as failed) and new ones starting, like a busy cluster node.
 */
export class SimulatedNode {
  private readonly random: () => number;
  private pulls: SimPull[] = [];
  private lastMs: number | undefined;
  private serial = 0;

  private readonly rollout: { pulling: boolean } | undefined;

  constructor(
    readonly name: string,
    seed: number,
    startMs: number,
    options: SimulatedNodeOptions = {},
  ) {
    this.random = seededRandom(seed);
    if (options.pullingShare !== undefined) {
      this.rollout = { pulling: this.random() < options.pullingShare };
      if (this.rollout.pulling) this.pulls.push(this.newPull(startMs, this.random() * 0.7, 8));
      return;
    }
    const initial = Math.floor(this.random() * 4);
    // Start part-way through, so the first seconds already look like a running cluster.
    for (let i = 0; i < initial; i++) this.pulls.push(this.newPull(startMs, this.random() * 0.7));
  }

  /** The full snapshot this node reports at `nowMs`. */
  report(nowMs: number): AgentReport {
    this.advance(nowMs);
    return {
      nodeName: this.name,
      timestamp: new Date(nowMs).toISOString(),
      agent: { version: 'bench', runtime: 'containerd', runtimeVersion: '1.6.20' },
      pulls: this.pulls.map((p) => this.reportPull(p)),
    };
  }

  private advance(nowMs: number): void {
    const elapsedSec = this.lastMs === undefined ? 0 : (nowMs - this.lastMs) / 1000;
    this.lastMs = nowMs;
    this.pulls = this.pulls.filter((p) => !p.ended);
    for (const pull of this.pulls) {
      const budget = pull.bytesPerSec * elapsedSec;
      const active = pull.layers.filter((l) => !l.cached && l.downloadedBytes < l.totalBytes).slice(0, PARALLEL_LAYERS);
      for (const layer of active) {
        const step = Math.min(layer.totalBytes - layer.downloadedBytes, Math.floor(budget / active.length));
        layer.downloadedBytes += step;
      }
      if (pull.layers.every((l) => l.cached || l.downloadedBytes >= l.totalBytes)) pull.ended = 'completed';
      else if (elapsedSec > 0 && this.random() < 0.002) pull.ended = 'failed';
    }
    if (this.rollout) {
      if (this.rollout.pulling && this.pulls.every((p) => p.ended)) this.pulls.push(this.newPull(nowMs, 0, 8));
      return;
    }
    // Keep 0–3 pulls: now and then a new one starts.
    if (this.pulls.length < 3 && this.random() < 0.08 * elapsedSec) this.pulls.push(this.newPull(nowMs, 0));
  }

  private newPull(nowMs: number, progress: number, layerCount = 3 + Math.floor(this.random() * 6)): SimPull {
    const id = `${this.name}/${this.serial++}`;
    const layers = Array.from({ length: layerCount }, (_, i) => {
      const totalBytes = Math.floor((0.5 + this.random() * 60) * MiB);
      const cached = this.random() < 0.2;
      return {
        digest: `sha256:${sha256Hex(`${id}/layer/${i}`)}`,
        totalBytes,
        downloadedBytes: cached ? totalBytes : Math.floor(totalBytes * progress),
        cached,
      };
    });
    return {
      imageRef: IMAGES[Math.floor(this.random() * IMAGES.length)]!,
      manifestDigest: `sha256:${sha256Hex(`${id}/manifest`)}`,
      startedAt: new Date(nowMs).toISOString(),
      bytesPerSec: (2 + this.random() * 18) * MiB,
      layers,
    };
  }

  private reportPull(pull: SimPull): ReportPull {
    const layers: ReportLayer[] = pull.layers.map((l) => ({
      digest: l.digest,
      mediaType: LAYER_MEDIA_TYPE,
      totalBytes: l.totalBytes,
      downloadedBytes: l.downloadedBytes,
      totalKnown: true,
      state: l.cached ? 'cached' : l.downloadedBytes >= l.totalBytes ? 'done' : l.downloadedBytes > 0 ? 'downloading' : 'waiting',
    }));
    const report: ReportPull = {
      imageRef: pull.imageRef,
      startedAt: pull.startedAt,
      totalKnown: true,
      manifestDigest: pull.manifestDigest,
      status: pull.ended ?? 'pulling',
      layers,
    };
    if (pull.ended === 'failed')
      report.error = 'failed to copy: httpReadSeeker: failed open: unexpected status code 503 Service Unavailable';
    return report;
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
