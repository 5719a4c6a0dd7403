// Holds a report to the limits of the AgentReport schema before it is sent. The server refuses a
// report over any limit whole (400), so one odd image (more layers than the schema allows, a
// 5,000-character media type) would otherwise blind every report of its node. Over a limit the
// agent trims instead: strings are shortened, a pull keeps the layers that matter most to a viewer
// and says how many it left out (`layersOmitted`), and a body still over the size limit (or over the
// layers a report may carry in all) loses layers, then its oldest pulls. Error text is redacted here too: nothing secret leaves the node.
import { redactSecrets } from '../common/index.js';
import type { AgentInfo, AgentReport, ReportLayer, ReportPull } from '../model/index.js';
import { REPORT_LIMITS } from '../model/index.js';

export type ReportLimits = typeof REPORT_LIMITS;

/** What was trimmed from one pull, for the agent's log. */
export interface PullTrim {
  /** the pull as the server keys it (manifest digest, else image reference) and its start */
  pull: string;
  imageRef: string;
  layersOmitted: number;
  /** report fields that were shortened */
  shortened: string[];
}

export interface FittedReport {
  report: AgentReport;
  /** the report as JSON, at most `limits.bodyBytes` bytes */
  body: string;
  trims: PullTrim[];
  /** pulls left out of the report (too many, or the body too large) */
  pullsOmitted: number;
}

/** Below this many layers per pull a large body is shrunk by leaving out pulls instead. */
const MIN_LAYERS_PER_PULL = 16;

// A viewer watches what moves: downloading layers first, then those still to come, then finished ones.
const LAYER_PRIORITY: Record<string, number> = { downloading: 0, waiting: 1, done: 2, cached: 3 };

/** `text` cut to at most `max` characters (code points, as JSON Schema counts them), marked with an ellipsis. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** The report within `limits`; a report already within them is returned as it is (error text redacted). */
export function fitReport(report: AgentReport, limits: ReportLimits = REPORT_LIMITS): FittedReport {
  const head: AgentReport = { ...report, pulls: [] };
  if (report.agent) head.agent = fitAgent(report.agent, limits);
  const overhead = Buffer.byteLength(JSON.stringify(head));
  // The newest pulls are the ones worth showing.
  let source = report.pulls;
  let pullsOmitted = 0;
  if (source.length > limits.pulls) {
    pullsOmitted = source.length - limits.pulls;
    source = source.slice(pullsOmitted);
  }

  const done = (fitted: FittedPull[]): FittedReport => {
    const out: AgentReport = { ...head, pulls: fitted.map((f) => f.pull) };
    return { report: out, body: JSON.stringify(out), trims: fitted.flatMap((f) => (f.trim ? [f.trim] : [])), pullsOmitted };
  };
  let cap = limits.layersPerPull;
  for (;;) {
    let fitted = source.map((p) => fitPull(p, cap, limits));
    // The usual case costs one serialization: the report as sent.
    const result = done(fitted);
    let layers = layerCount(fitted);
    if (layers <= limits.layersPerReport && Buffer.byteLength(result.body) <= limits.bodyBytes) return result;
    if (cap > MIN_LAYERS_PER_PULL && fitted.some((f) => f.pull.layers.length > MIN_LAYERS_PER_PULL)) {
      cap = Math.max(MIN_LAYERS_PER_PULL, Math.floor(cap / 2));
      continue;
    }
    let sizes = fitted.map((f) => Buffer.byteLength(JSON.stringify(f.pull)));
    let total = bodyBytes(overhead, sizes);
    while ((total > limits.bodyBytes || layers > limits.layersPerReport) && fitted.length > 0) {
      layers -= (fitted[0] as FittedPull).pull.layers.length;
      fitted = fitted.slice(1);
      sizes = sizes.slice(1);
      pullsOmitted++;
      total = bodyBytes(overhead, sizes);
    }
    return done(fitted);
  }
}

interface FittedPull {
  pull: ReportPull;
  trim?: PullTrim;
}

function layerCount(fitted: FittedPull[]): number {
  let n = 0;
  for (const f of fitted) n += f.pull.layers.length;
  return n;
}

function bodyBytes(overhead: number, pullSizes: number[]): number {
  let sum = overhead;
  for (const s of pullSizes) sum += s;
  return sum + Math.max(0, pullSizes.length - 1);
}

function fitAgent(agent: AgentInfo, limits: ReportLimits): AgentInfo {
  const out: AgentInfo = { ...agent };
  if (out.version !== undefined) out.version = shorten(out.version, limits.agentVersionChars);
  if (out.runtime !== undefined) out.runtime = shorten(out.runtime, limits.agentRuntimeChars);
  if (out.runtimeVersion !== undefined) out.runtimeVersion = shorten(out.runtimeVersion, limits.agentRuntimeVersionChars);
  return out;
}

function fitPull(p: ReportPull, layerCap: number, limits: ReportLimits): FittedPull {
  const shortened: string[] = [];
  const field = (name: string, value: string, max: number) => {
    const s = shorten(value, max);
    if (s !== value) shortened.push(name);
    return s;
  };
  const out: ReportPull = { ...p, imageRef: field('imageRef', p.imageRef, limits.imageRefChars) };
  if (p.startedAt !== undefined) out.startedAt = field('startedAt', p.startedAt, limits.startedAtChars);
  if (p.manifestDigest !== undefined) out.manifestDigest = field('manifestDigest', p.manifestDigest, limits.manifestDigestChars);
  if (p.error !== undefined) out.error = field('error', redactSecrets(p.error), limits.errorChars);

  // A digest cannot be shortened and still name its blob: such a layer is left out.
  let layers: ReportLayer[] = p.layers.filter((l) => l.digest.length <= limits.layerDigestChars);
  let omitted = p.layers.length - layers.length;
  if (layers.length > layerCap) {
    const keep = layers
      .map((l, i) => ({ i, rank: LAYER_PRIORITY[l.state ?? 'waiting'] ?? 1 }))
      .sort((a, b) => a.rank - b.rank || a.i - b.i)
      .slice(0, layerCap)
      .map((k) => k.i)
      .sort((a, b) => a - b);
    omitted += layers.length - keep.length;
    layers = keep.map((i) => layers[i]!);
  }
  out.layers = layers.map((l) => {
    if (l.mediaType === undefined || l.mediaType.length <= limits.mediaTypeChars) return l;
    if (!shortened.includes('mediaType')) shortened.push('mediaType');
    return { ...l, mediaType: shorten(l.mediaType, limits.mediaTypeChars) };
  });
  const totalOmitted = (p.layersOmitted ?? 0) + omitted;
  if (totalOmitted > 0) out.layersOmitted = totalOmitted;
  if (omitted === 0 && shortened.length === 0) return { pull: out };
  const pull = `${out.manifestDigest || out.imageRef}@${out.startedAt ?? ''}`;
  return { pull: out, trim: { pull, imageRef: out.imageRef, layersOmitted: totalOmitted, shortened } };
}
