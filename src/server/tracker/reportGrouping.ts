// Turns the pulls of one (current-shape) AgentReport into keyed groups, one per pull on that
// node: entries naming the same manifest digest (else image reference) are one pull. The original
// agent's shape was adapted before this (src/server/admission/originalReportShape.ts).
import { MAX_LAYERS_PER_PULL, MAX_LAYERS_PER_REPORT, type ReportLayer, type ReportPull } from '../../model/index.js';
import { reportPullKey } from '../admission/originalReportShape.js';

export interface ReportGroup {
  key: string;
  imageRef: string;
  manifestDigest?: string;
  /** the containerd namespace the agent named (it names a layer's owner by digest within it) */
  containerdNamespace?: string;
  status?: ReportPull['status'];
  error?: string;
  unpackStartedAt?: string;
  unpackingLayer?: string;
  failureReason?: ReportPull['failureReason'];
  totalKnown: boolean;
  startedAt?: number;
  layers: ReportLayer[];
  /** layers the agent left out of its report (over the report's layer limit) */
  layersOmitted?: number;
  /** index of the report's first entry in this group, to name it in an error */
  firstIndex: number;
}

/** Go zero times ("0001-01-01T00:00:00Z") and unparsable times count as unknown. */
export function parseReportTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const t = Date.parse(text);
  return Number.isFinite(t) && t > 0 ? t : undefined;
}

/** Linear in the report's size: one digest set per group, kept while grouping. */
export function groupReportPulls(pulls: ReportPull[]): ReportGroup[] {
  const groups = new Map<string, ReportGroup>();
  const digests = new Map<string, Set<string>>();
  for (const [index, p] of pulls.entries()) {
    const key = reportPullKey(p);
    let g = groups.get(key);
    if (!g) {
      g = {
        key,
        imageRef: p.imageRef,
        manifestDigest: p.manifestDigest,
        ...(p.containerdNamespace ? { containerdNamespace: p.containerdNamespace } : {}),
        status: p.status,
        error: p.error,
        unpackStartedAt: p.unpackStartedAt,
        unpackingLayer: p.unpackingLayer,
        failureReason: p.failureReason,
        totalKnown: p.totalKnown ?? false,
        startedAt: parseReportTime(p.startedAt),
        layers: [],
        firstIndex: index,
      };
      groups.set(key, g);
      digests.set(key, new Set());
    } else {
      g.totalKnown = g.totalKnown && (p.totalKnown ?? false);
      const t = parseReportTime(p.startedAt);
      if (t !== undefined && (g.startedAt === undefined || t < g.startedAt)) g.startedAt = t;
      if (!g.imageRef) g.imageRef = p.imageRef;
    }
    if (p.layersOmitted) g.layersOmitted = (g.layersOmitted ?? 0) + p.layersOmitted;
    const seen = digests.get(key) as Set<string>;
    for (const l of p.layers) {
      if (seen.has(l.digest)) continue;
      seen.add(l.digest);
      g.layers.push(l);
    }
  }
  for (const g of groups.values()) {
    if (!g.imageRef) g.imageRef = g.manifestDigest ?? firstDigest(g.layers);
  }
  return [...groups.values()];
}

/**
 * Why the grouped report is refused, naming the pull, or undefined when within limits: a pull may
 * have at most MAX_LAYERS_PER_PULL layers once the entries naming the same image are merged, and
 * the report at most MAX_LAYERS_PER_REPORT across its pulls.
 */
export function groupLimitProblem(groups: ReportGroup[]): string | undefined {
  let total = 0;
  for (const g of groups) {
    total += g.layers.length;
    if (g.layers.length <= MAX_LAYERS_PER_PULL) continue;
    const what = `image ${JSON.stringify(g.imageRef.slice(0, 200))}`;
    return `pulls[${g.firstIndex}] (${what}) has ${g.layers.length} distinct layers once the report's entries for the same image are merged; at most ${MAX_LAYERS_PER_PULL} are accepted`;
  }
  if (total > MAX_LAYERS_PER_REPORT) {
    return `the report has ${total} distinct layers across its ${groups.length} pulls once entries for the same image are merged; at most ${MAX_LAYERS_PER_REPORT} are accepted per report`;
  }
  return undefined;
}

function firstDigest(layers: ReportLayer[]): string {
  const d = layers[0]?.digest ?? '';
  return d.replace(/^(layer|config|manifest|index)-/, '');
}
