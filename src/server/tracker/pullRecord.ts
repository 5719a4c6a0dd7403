// The server's mutable record of one pull and its layers, and its PullStatus view.
// Totals are summed once per change of the layers (`refreshTotals`) and cached on the record,
// so building a status, which happens per event, costs no pass over the layers.
import {
  type FailureReason,
  type LayerState,
  type LayerStatus,
  MAX_BYTES,
  type PodRef,
  type PullState,
  type PullStatus,
} from '../../model/index.js';
import { isFinished } from '../../pulls/index.js';
import { etaSeconds, RateWindow, STOPPED_RATE } from './rateWindow.js';

export interface LayerRecord {
  digest: string;
  mediaType: string;
  totalBytes: number;
  downloadedBytes: number;
  totalKnown: boolean;
  state: LayerState;
  startedAt?: number;
  completedAt?: number;
  rate: RateWindow;
  /** state `shared`: the owning pull as the agent names it (its manifest digest), and its id once known */
  sharedWithKey?: string;
  sharedWith?: string;
  /** the last status built, reused while nothing changed (same time, same pull state): a report's layer events and its pull event share them */
  shown?: { now: number; pullStatus: PullState; status: LayerStatus };
}

export interface PullRecord {
  id: string;
  key: string;
  nodeName: string;
  imageRef: string;
  status: PullState;
  startedAt: number;
  /** the start time the agent reported, which names the attempt; absent for kubelet-only pulls */
  agentStartedAt?: number;
  completedAt?: number;
  error?: string;
  manifestDigest?: string;
  totalKnown: boolean;
  /** the layers of the latest report, in its order */
  layers: Map<string, LayerRecord>;
  /** totals over `layers`, as of the last `refreshTotals` */
  totals: PullTotals;
  /** set when the server failed the pull because its agent went silent; a later report resumes it */
  agentLost?: boolean;
  rate: RateWindow;
  /** the most bytes downloaded seen so far, summed over non-cached layers (never decreases, unlike the totals): what the speed is measured on */
  downloadedHighWater: number;
  percent: number;
  lastProgressAt: number;
  pods: PodRef[];
  kubeletPullSeconds?: number;
  kubeletImageBytes?: number;
  /** layers the agent left out of its latest report (image over the report's layer limit) */
  layersOmitted?: number;
  /** every blob on the node, containerd unpacking (status `unpacking`) since then */
  unpackStartedAt?: number;
  /** status `unpacking`: the layer being applied, as the agent last said */
  unpackingLayer?: string;
  /** kubelet's queue time before the pull started */
  waitSeconds?: number;
  failureReason?: FailureReason;
  /** see slowPull.ts; refreshed by the tracker's tick */
  slow?: boolean;
  lowRateSince?: number;
  /** the cluster whose node pulls (PULLTRACE_CLUSTER) */
  cluster?: string;
}

export function newLayer(digest: string): LayerRecord {
  return { digest, mediaType: '', totalBytes: 0, downloadedBytes: 0, totalKnown: false, state: 'waiting', rate: new RateWindow() };
}

export interface PullTotals {
  totalBytes: number;
  downloadedBytes: number;
  cachedBytes: number;
  /** image layers (the config blob is not one) */
  layerCount: number;
  layersDone: number;
}

const CONFIG_MEDIA_TYPES = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);

/** The image config blob counts in bytes (it is downloaded) but is not one of the image's layers. */
export function isConfigBlob(l: LayerRecord): boolean {
  return CONFIG_MEDIA_TYPES.has(l.mediaType);
}

export function emptyTotals(): PullTotals {
  return { totalBytes: 0, downloadedBytes: 0, cachedBytes: 0, layerCount: 0, layersDone: 0 };
}

/** Sums the layers (one pass); callers cache the result with `refreshTotals`. */
export function pullTotals(rec: PullRecord): PullTotals {
  let { totalBytes, downloadedBytes, cachedBytes, layerCount, layersDone } = emptyTotals();
  for (const l of rec.layers.values()) {
    const isLayer = !isConfigBlob(l);
    if (isLayer) layerCount++;
    if (l.state === 'cached') {
      cachedBytes += l.totalBytes;
      if (isLayer) layersDone++;
      continue;
    }
    // A shared layer is part of what this pull needs; it is here once its owner committed it.
    if ((l.state === 'done' || (l.state === 'shared' && l.totalBytes > 0 && l.downloadedBytes >= l.totalBytes)) && isLayer) layersDone++;
    totalBytes += l.totalBytes;
    downloadedBytes += l.downloadedBytes;
  }
  return { totalBytes, downloadedBytes, cachedBytes, layerCount, layersDone };
}

/** Recomputes the cached totals; call after the layers of a record changed. */
export function refreshTotals(rec: PullRecord): PullTotals {
  rec.totals = pullTotals(rec);
  return rec.totals;
}

/** A sum of byte counts can pass 2^53 − 1 (many huge layers); what is served stays exact. */
export function clampBytes(n: number): number {
  return Number.isFinite(n) ? Math.min(MAX_BYTES, Math.max(0, n)) : 0;
}

/** A served number is finite and non-negative whatever went in. */
function finiteOrZero(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * Milliseconds → RFC 3339. The layers of one report share a few distinct times (when that report
 * or an earlier one arrived), so a few remembered conversions save one Date per layer per event.
 */
const isoCache = new Map<number, string>();
function iso(t: number | undefined): string | undefined {
  if (t === undefined) return undefined;
  let text = isoCache.get(t);
  if (text === undefined) {
    if (isoCache.size >= 64) isoCache.clear();
    text = new Date(t).toISOString();
    isoCache.set(t, text);
  }
  return text;
}

export function layerStatus(rec: PullRecord, l: LayerRecord, now: number): LayerStatus {
  const shown = l.shown;
  if (shown && shown.now === now && shown.pullStatus === rec.status) return shown.status;
  const out: LayerStatus = {
    pullId: rec.id,
    digest: l.digest,
    mediaType: l.mediaType,
    totalBytes: l.totalBytes,
    downloadedBytes: l.downloadedBytes,
    bytesPerSec: l.state === 'downloading' && !isFinished(rec.status) ? finiteOrZero(Math.round(l.rate.rate(now))) : 0,
    // Capped: a layer of unknown size can report more bytes than its provisional total.
    percent:
      l.state === 'done' || l.state === 'cached'
        ? 100
        : l.totalBytes > 0
          ? round1(Math.min(100, (l.downloadedBytes / l.totalBytes) * 100))
          : 0,
    totalKnown: l.totalKnown,
    state: l.state,
  };
  if (l.startedAt !== undefined) out.startedAt = iso(l.startedAt);
  if (l.completedAt !== undefined) out.completedAt = iso(l.completedAt);
  if (l.state === 'shared' && l.sharedWith !== undefined) out.sharedWith = l.sharedWith;
  // A finished pull's statuses are built when asked (rarely): kept, they would undo compactFinished.
  if (!isFinished(rec.status)) l.shown = { now, pullStatus: rec.status, status: out };
  return out;
}

/**
 * A finished pull as it is kept until HISTORY_TTL: its rate windows (a sample array per layer)
 * and cached layer statuses are dropped; nothing served from a finished pull reads them.
 * `resumeRates` gives them back if the pull resumes.
 */
export function compactFinished(rec: PullRecord): void {
  rec.rate = STOPPED_RATE;
  for (const l of rec.layers.values()) {
    l.rate = STOPPED_RATE;
    l.shown = undefined;
  }
}

/** A resumed pull measures its speed again from now. */
export function resumeRates(rec: PullRecord): void {
  if (rec.rate === STOPPED_RATE) rec.rate = new RateWindow();
  for (const l of rec.layers.values()) if (l.rate === STOPPED_RATE) l.rate = new RateWindow();
}

export function pullStatus(rec: PullRecord, now: number, withLayers: boolean): PullStatus {
  const t = rec.totals;
  const finished = isFinished(rec.status);
  const bytesPerSec = finished ? 0 : finiteOrZero(Math.round(rec.rate.rate(now)));
  const out: PullStatus = {
    id: rec.id,
    nodeName: rec.nodeName,
    imageRef: rec.imageRef,
    status: rec.status,
    totalBytes: clampBytes(t.totalBytes),
    downloadedBytes: clampBytes(t.downloadedBytes),
    cachedBytes: clampBytes(t.cachedBytes),
    bytesPerSec,
    percent: Math.min(100, finiteOrZero(rec.percent)),
    layerCount: t.layerCount,
    layersDone: t.layersDone,
    startedAt: iso(rec.startedAt) as string,
    pods: rec.pods,
    totalKnown: rec.totalKnown,
  };
  const eta = finished ? undefined : etaSeconds(t.totalBytes - t.downloadedBytes, bytesPerSec, rec.totalKnown);
  if (eta !== undefined && Number.isFinite(eta)) out.etaSeconds = eta;
  if (rec.completedAt !== undefined) out.completedAt = iso(rec.completedAt);
  if (rec.error !== undefined) out.error = rec.error;
  if (rec.manifestDigest !== undefined) out.manifestDigest = rec.manifestDigest;
  if (rec.kubeletPullSeconds !== undefined) out.kubeletPullSeconds = rec.kubeletPullSeconds;
  if (rec.kubeletImageBytes !== undefined) out.kubeletImageBytes = rec.kubeletImageBytes;
  if (rec.layersOmitted) out.layersOmitted = rec.layersOmitted;
  if (rec.unpackStartedAt !== undefined) out.unpackStartedAt = iso(rec.unpackStartedAt);
  if (rec.status === 'unpacking' && rec.unpackingLayer !== undefined) out.unpackingLayer = rec.unpackingLayer;
  if (rec.waitSeconds !== undefined) out.waitSeconds = rec.waitSeconds;
  if (rec.status === 'failed') out.failureReason = rec.failureReason ?? 'unknown';
  if (!finished) out.slow = rec.status === 'pulling' && rec.slow === true;
  if (rec.cluster !== undefined) out.cluster = rec.cluster;
  if (withLayers) out.layers = [...rec.layers.values()].map((l) => layerStatus(rec, l, now));
  return out;
}

/** Percent from totals; callers keep the maximum so it never decreases within a pull. */
export function percentOf(t: PullTotals): number {
  return t.totalBytes > 0 && Number.isFinite(t.totalBytes) ? round1(Math.min(100, (t.downloadedBytes / t.totalBytes) * 100)) : 0;
}

function round1(x: number): number {
  return Math.floor(x * 10) / 10;
}

/** A record rebuilt from a stored PullStatus (history), for the live view after a restart. */
export function recordFromStatus(p: PullStatus, now: number): PullRecord {
  const layers = new Map<string, LayerRecord>();
  for (const l of p.layers ?? []) {
    layers.set(l.digest, {
      digest: l.digest,
      mediaType: l.mediaType,
      totalBytes: l.totalBytes,
      downloadedBytes: l.downloadedBytes,
      totalKnown: l.totalKnown,
      state: l.state,
      startedAt: l.startedAt ? Date.parse(l.startedAt) : undefined,
      completedAt: l.completedAt ? Date.parse(l.completedAt) : undefined,
      rate: STOPPED_RATE,
      sharedWith: l.sharedWith,
    });
  }
  const rec: PullRecord = {
    id: p.id,
    key: p.manifestDigest || p.imageRef,
    nodeName: p.nodeName,
    imageRef: p.imageRef,
    status: p.status,
    startedAt: Date.parse(p.startedAt),
    agentStartedAt: Date.parse(p.startedAt),
    completedAt: p.completedAt ? Date.parse(p.completedAt) : now,
    error: p.error,
    manifestDigest: p.manifestDigest,
    totalKnown: p.totalKnown,
    layers,
    totals: emptyTotals(),
    rate: STOPPED_RATE,
    downloadedHighWater: p.downloadedBytes,
    percent: p.percent,
    lastProgressAt: now,
    pods: p.pods,
    kubeletPullSeconds: p.kubeletPullSeconds,
    kubeletImageBytes: p.kubeletImageBytes,
    layersOmitted: p.layersOmitted,
    unpackStartedAt: p.unpackStartedAt ? Date.parse(p.unpackStartedAt) : undefined,
    waitSeconds: p.waitSeconds,
    failureReason: p.failureReason,
    cluster: p.cluster,
  };
  refreshTotals(rec);
  return rec;
}
