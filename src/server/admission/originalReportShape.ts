// The original Go agent's report shape, turned into the current one where a report enters the
// tracker, so the tracker knows one shape. That agent differs in two ways:
// - it names each raw containerd ingest (`layer-sha256:<hex>`) as its own "pull", with no manifest
//   digest and no status: here those become one pull per node holding every ingest seen since the
//   group began (an ingest that vanished was committed: a `done` layer);
// - it never says a pull finished, its pulls (statusless entries) just vanish: here a vanished one
//   is sent once more with `status: 'completed'`.
// Memory per node: the statusless entries of the last report and the ingest group's layers, at
// most MAX_LAYERS_PER_PULL (beyond that the oldest done ones are dropped, bytes and all).
import { type AgentReport, MAX_LAYERS_PER_PULL, type ReportLayer, type ReportPull } from '../../model/index.js';
import { isPlaceholderImageRef } from '../tracker/placeholderImageRef.js';

interface IngestGroup {
  /** the group's stable name (and tracker key): the first ingest's digest */
  imageRef: string;
  /** every ingest seen since the group began, in first-seen order */
  layers: Map<string, ReportLayer>;
}

interface NodeMemory {
  /** statusless entries of the last report, by pull key, sent as completed once they vanish */
  statusless: Map<string, ReportPull>;
  ingests?: IngestGroup;
}

export interface AdaptedReport {
  report: AgentReport;
  /** records what this report showed; call only once the report was accepted */
  commit(): void;
}

/** An entry of the original agent's digest-only ingests. */
export function isOriginalIngest(p: ReportPull): boolean {
  return !p.manifestDigest && p.status === undefined && isPlaceholderImageRef(p.imageRef);
}

/** The tracker's key for a pull of a current-shape report. */
export function reportPullKey(p: ReportPull): string {
  return pullKeyIn(p.manifestDigest || p.imageRef, p.containerdNamespace);
}

/**
 * A pull's key from the digest (or reference) reports name it by, within its containerd namespace
 * when the agent says one: the same image pulled in two namespaces at once is two pulls. A newline
 * cannot occur in either part (report names are printable), so keys cannot collide.
 */
export function pullKeyIn(name: string, containerdNamespace: string | undefined): string {
  return containerdNamespace ? `${name}\n${containerdNamespace}` : name;
}

export class OriginalReportShape {
  private readonly nodes = new Map<string, NodeMemory>();

  /** The report in the current shape; the same object when it has nothing of the original shape to adapt. */
  adapt(report: AgentReport): AdaptedReport {
    const memory = this.nodes.get(report.nodeName);
    const original = report.pulls.some((p) => p.status === undefined);
    if (!original && !memory) return { report, commit: () => {} };

    const pulls: ReportPull[] = [];
    const ingests: ReportPull[] = [];
    const statusless = new Map<string, ReportPull>();
    for (const p of report.pulls) {
      if (isOriginalIngest(p)) ingests.push(p);
      else if (p.status === undefined) {
        statusless.set(reportPullKey(p), p);
        pulls.push({ ...p, status: 'pulling' });
      } else pulls.push(p);
    }
    for (const [key, last] of memory?.statusless ?? []) {
      if (!statusless.has(key)) pulls.push({ ...last, status: 'completed' });
    }
    const group = nextIngestGroup(memory?.ingests, ingests);
    if (group) pulls.push(ingestGroupPull(group.group, ingests, group.current));
    else if (memory?.ingests) pulls.push(finishedIngestGroupPull(memory.ingests));

    return {
      report: { ...report, pulls },
      commit: () => {
        if (statusless.size === 0 && !group) this.nodes.delete(report.nodeName);
        else this.nodes.set(report.nodeName, { statusless, ...(group ? { ingests: group.group } : {}) });
      },
    };
  }

  /** Drops what is remembered about a node (the tracker forgot it). */
  forget(nodeName: string): void {
    this.nodes.delete(nodeName);
  }
}

/** The group after this report's ingests (a new object: nothing remembered changes before commit). */
function nextIngestGroup(
  previous: IngestGroup | undefined,
  ingests: ReportPull[],
): { group: IngestGroup; current: Set<string> } | undefined {
  if (ingests.length === 0) return undefined;
  const layers = new Map(previous?.layers);
  const current = new Set<string>();
  for (const p of ingests) {
    for (const l of p.layers) {
      current.add(l.digest);
      layers.set(l.digest, l);
    }
  }
  // Oldest finished ingests leave first when the group outgrows a pull's layer limit.
  for (const digest of layers.keys()) {
    if (layers.size <= MAX_LAYERS_PER_PULL) break;
    if (!current.has(digest)) layers.delete(digest);
  }
  const first = ingests[0] as ReportPull;
  const imageRef = previous?.imageRef ?? firstDigest(first);
  return { group: { imageRef, layers }, current };
}

/** One pull for the node's ingests: reported ones as they are, vanished ones done. */
function ingestGroupPull(group: IngestGroup, ingests: ReportPull[], current: Set<string>): ReportPull {
  const layers: ReportLayer[] = [];
  for (const l of group.layers.values()) if (current.has(l.digest)) layers.push(l);
  for (const l of group.layers.values()) if (!current.has(l.digest)) layers.push(doneLayer(l));
  const pull: ReportPull = {
    imageRef: group.imageRef,
    status: 'pulling',
    // Only known if every ingest knew its total.
    totalKnown: layers.every((l) => l.totalKnown ?? false),
    layers,
  };
  const startedAt = earliestStart(ingests);
  if (startedAt !== undefined) pull.startedAt = startedAt;
  return pull;
}

/** Every ingest of the group vanished: the group completed. */
function finishedIngestGroupPull(group: IngestGroup): ReportPull {
  const layers = [...group.layers.values()].map(doneLayer);
  return { imageRef: group.imageRef, status: 'completed', totalKnown: layers.every((l) => l.totalKnown ?? false), layers };
}

function doneLayer(l: ReportLayer): ReportLayer {
  const known = l.totalKnown ?? l.totalBytes > 0;
  return { ...l, state: 'done', downloadedBytes: known ? l.totalBytes : l.downloadedBytes };
}

/** The earliest real start among the entries (Go zero times and garbage are unknown). */
function earliestStart(pulls: ReportPull[]): string | undefined {
  let best: { text: string; at: number } | undefined;
  for (const p of pulls) {
    const at = p.startedAt ? Date.parse(p.startedAt) : Number.NaN;
    if (!Number.isFinite(at) || at <= 0) continue;
    if (!best || at < best.at) best = { text: p.startedAt as string, at };
  }
  return best?.text;
}

function firstDigest(p: ReportPull): string {
  const d = p.layers[0]?.digest ?? p.imageRef;
  return d.replace(/^(layer|config|manifest|index)-/, '');
}
