// The pull state machine: pulling ⇄ stalled → completed | failed. Fed by agent reports and
// timer ticks; publishes one PullEvent per transition. Knows nothing about HTTP.
import { redactOptional } from '../../common/index.js';
import type { AgentReport, FailureReason, PodRef, PullEvent, PullEventType, PullStatus } from '../../model/index.js';
import type { PullEventBus } from '../events/pullEventBus.js';
import { refineFailure } from './failureReason.js';
import { isEmptyFilter, matchesFilter, type PullFilter } from './pullFilter.js';
import { pullIdFor, randomPullId } from './pullId.js';
import {
  isFinished,
  type LayerRecord,
  layerStatus,
  type PullRecord,
  percentOf,
  pullStatus,
  pullTotals,
  recordFromStatus,
} from './pullRecord.js';
import { RateWindow } from './rateWindow.js';
import { groupReportPulls, parseReportTime, type ReportGroup } from './reportGrouping.js';
import { markLayerDone, mergeReportGroup } from './reportMerge.js';
import { resolveSharedLayers } from './sharedLayers.js';
import { isSlow, nextLowRateSince, type SlowSettings } from './slowPull.js';

export interface TrackerLimits extends Partial<SlowSettings> {
  stallTimeoutMs: number;
  historyTtlMs: number;
  maxNodes: number;
  maxPulls: number;
  /** the cluster this server names (PULLTRACE_CLUSTER); part of every derived pull id */
  cluster?: string;
}

export class CapacityError extends Error {
  constructor(
    readonly what: 'nodes' | 'pulls',
    limit: number,
  ) {
    super(
      what === 'nodes'
        ? `the server tracks at most ${limit} nodes (PULLTRACE_MAX_NODES)`
        : `the server holds at most ${limit} pulls (PULLTRACE_MAX_PULLS)`,
    );
  }
}

interface NodeRecord {
  name: string;
  /** pulls by key (manifest digest or image reference); a finished one stays until TTL */
  pulls: Map<string, PullRecord>;
  lastReportAt: number;
  reportGapMs: number;
}

/** Hook that names the pods waiting on a pull (Kubernetes correlation); none by default. */
export type PodResolver = (pull: PullRecord) => PodRef[];
/** Hook that gives the reference the user wrote (kubelet's `Pulling image "…"`), if known. */
export type NameResolver = (pull: PullRecord) => string | undefined;

/** Relative change in speed worth a progress event even without new bytes. */
const RATE_CHANGE_EVENT = 0.05;
/** Nodes silent this long with no pulls left are forgotten. */
const NODE_FORGET_MS = 10 * 60_000;
/** PULLTRACE_SLOW_ETA and PULLTRACE_SLOW_RATE defaults, for trackers built without them (tests, benchmarks). */
const DEFAULT_SLOW: SlowSettings = { slowEtaMs: 15 * 60_000, slowRateBytesPerSec: 100 * 1024 };

export class PullTracker {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly byId = new Map<string, PullRecord>();
  private readonly lastRate = new WeakMap<PullRecord, number>();
  private readonly slowSettings: SlowSettings;
  private podResolver: PodResolver = () => [];
  private nameResolver: NameResolver = () => undefined;

  constructor(
    private readonly bus: PullEventBus,
    private readonly limits: TrackerLimits,
  ) {
    this.slowSettings = { ...DEFAULT_SLOW, ...definedOnly(limits) };
  }

  setPodResolver(resolver: PodResolver): void {
    this.podResolver = resolver;
  }

  setNameResolver(resolver: NameResolver): void {
    this.nameResolver = resolver;
  }

  /** Applies one node's full snapshot. Throws CapacityError before changing anything. */
  applyReport(report: AgentReport, now: number): void {
    const groups = groupReportPulls(report.pulls);
    let node = this.nodes.get(report.nodeName);
    if (!node && this.nodes.size >= this.limits.maxNodes) throw new CapacityError('nodes', this.limits.maxNodes);
    const newPulls = groups.filter((g) => this.needsNewRecord(node, g)).length;
    if (newPulls > 0 && this.byId.size + newPulls > this.limits.maxPulls) throw new CapacityError('pulls', this.limits.maxPulls);

    if (!node) {
      node = { name: report.nodeName, pulls: new Map(), lastReportAt: now, reportGapMs: 0 };
      this.nodes.set(node.name, node);
    } else {
      node.reportGapMs = now - node.lastReportAt;
      node.lastReportAt = now;
    }

    const seen = new Set<string>();
    for (const g of groups) {
      seen.add(g.key);
      this.applyGroup(node, g, now);
    }
    for (const rec of node.pulls.values()) {
      if (seen.has(rec.key) || isFinished(rec.status)) continue;
      this.onAbsent(rec, now);
    }
  }

  /** Stall detection and TTL cleanup; call about once a second. */
  tick(now: number): void {
    for (const node of this.nodes.values()) {
      for (const [key, rec] of node.pulls) {
        if (rec.status === 'pulling' && now - rec.lastProgressAt >= this.limits.stallTimeoutMs) {
          rec.status = 'stalled';
          rec.slow = false;
          this.emit('pull.stalled', rec, now);
        } else if (rec.status === 'pulling' || rec.status === 'stalled') {
          if (this.updateSlow(rec, now)) this.emit('pull.progress', rec, now);
        } else if (isFinished(rec.status) && (rec.completedAt ?? now) + this.limits.historyTtlMs <= now) {
          node.pulls.delete(key);
          this.byId.delete(rec.id);
        }
      }
      if (node.pulls.size === 0 && now - node.lastReportAt > NODE_FORGET_MS) this.nodes.delete(node.name);
    }
  }

  /** Marks an active pull failed (from the agent or from kubelet). Returns false if unknown or finished. */
  failPull(id: string, error: string, now: number, reason?: FailureReason): boolean {
    const rec = this.byId.get(id);
    if (!rec || isFinished(rec.status)) return false;
    this.finish(rec, 'failed', now, error, reason);
    return true;
  }

  /** Marks an active pull completed (kubelet's `Successfully pulled image`). */
  completePull(id: string, now: number): boolean {
    const rec = this.byId.get(id);
    if (!rec || isFinished(rec.status)) return false;
    this.finish(rec, 'completed', now);
    return true;
  }

  /** Records kubelet's own pull time and image size; returns the updated status of a finished pull. */
  annotateKubelet(
    id: string,
    pullSeconds: number | undefined,
    imageBytes: number | undefined,
    now: number,
    withWaitingSeconds?: number,
  ): PullStatus | undefined {
    const rec = this.byId.get(id);
    if (!rec) return undefined;
    if (pullSeconds !== undefined) rec.kubeletPullSeconds = pullSeconds;
    if (imageBytes !== undefined) rec.kubeletImageBytes = imageBytes;
    // kubelet 1.26+: "in 3.2s (5.1s including waiting)" — the difference is time queued before the pull.
    if (pullSeconds !== undefined && withWaitingSeconds !== undefined) {
      rec.waitSeconds = Math.round(Math.max(0, withWaitingSeconds - pullSeconds) * 1000) / 1000;
    }
    return pullStatus(rec, now, true);
  }

  /** Replaces the error text of a failed pull (kubelet's message is more useful than the agent's). */
  refineError(id: string, error: string, now: number): PullStatus | undefined {
    const rec = this.byId.get(id);
    if (rec?.status !== 'failed' || rec.error === error) return undefined;
    rec.error = error;
    rec.failureReason = refineFailure(rec.failureReason, error);
    return pullStatus(rec, now, true);
  }

  /** Re-evaluates pods for every active pull on a node, emitting progress where they changed. */
  refreshPods(nodeName: string, now: number): void {
    const node = this.nodes.get(nodeName);
    if (!node) return;
    for (const rec of node.pulls.values()) {
      if (isFinished(rec.status)) continue;
      const renamed = this.updateName(rec);
      if (this.updatePods(rec) || renamed) this.emit('pull.progress', rec, now);
    }
  }

  /** Puts finished pulls back into the live view after a restart (from the history store). */
  restoreFinished(pulls: PullStatus[], now: number): void {
    for (const p of pulls) {
      if (this.byId.has(p.id)) continue;
      const rec = recordFromStatus(p, now);
      this.byId.set(rec.id, rec);
      let node = this.nodes.get(p.nodeName);
      if (!node) {
        node = { name: p.nodeName, pulls: new Map(), lastReportAt: 0, reportGapMs: 0 };
        this.nodes.set(node.name, node);
      }
      const existing = node.pulls.get(rec.key);
      if (!existing || (existing.completedAt ?? 0) < (rec.completedAt ?? 0)) node.pulls.set(rec.key, rec);
    }
  }

  /** Starts (or returns) a pull known only from outside the agent, e.g. a kubelet failure with no bytes. */
  ensurePull(nodeName: string, imageRef: string, now: number): PullRecord {
    let node = this.nodes.get(nodeName);
    if (!node) {
      node = { name: nodeName, pulls: new Map(), lastReportAt: 0, reportGapMs: 0 };
      this.nodes.set(nodeName, node);
    }
    const existing = node.pulls.get(imageRef);
    if (existing && !isFinished(existing.status)) return existing;
    return this.createRecord(node, { key: imageRef, imageRef, totalKnown: false, ingestGroup: false, layers: [] }, now);
  }

  get(id: string): PullRecord | undefined {
    return this.byId.get(id);
  }

  status(id: string, now: number, withLayers = true): PullStatus | undefined {
    const rec = this.byId.get(id);
    return rec ? pullStatus(rec, now, withLayers) : undefined;
  }

  list(filter: PullFilter, now: number, withLayers: boolean): PullStatus[] {
    const out: PullStatus[] = [];
    const all = isEmptyFilter(filter);
    for (const rec of this.byId.values()) {
      const s = pullStatus(rec, now, withLayers);
      if (all || matchesFilter(s, filter)) out.push(s);
    }
    return out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0));
  }

  /** Active pulls on a node (for correlating kubelet events). */
  pullsOn(nodeName: string): PullRecord[] {
    return [...(this.nodes.get(nodeName)?.pulls.values() ?? [])];
  }

  counts(): { active: number; stalled: number; slow: number; unpacking: number; pulls: number; nodes: number } {
    let active = 0;
    let stalled = 0;
    let slow = 0;
    let unpacking = 0;
    for (const rec of this.byId.values()) {
      if (!isFinished(rec.status)) active++;
      if (rec.status === 'stalled') stalled++;
      if (rec.status === 'unpacking') unpacking++;
      if (rec.status === 'pulling' && rec.slow) slow++;
    }
    return { active, stalled, slow, unpacking, pulls: this.byId.size, nodes: this.nodes.size };
  }

  /** Nodes heard from within three of their own report intervals (at least 1 s each). */
  agentsConnected(now: number): number {
    let n = 0;
    for (const node of this.nodes.values()) {
      if (node.lastReportAt > 0 && now - node.lastReportAt <= 3 * Math.max(node.reportGapMs, 1000)) n++;
    }
    return n;
  }

  // ---- internals ----

  private needsNewRecord(node: NodeRecord | undefined, g: ReportGroup): boolean {
    const rec = node?.pulls.get(g.key);
    return !rec || (isFinished(rec.status) && !isSameFinishedAttempt(rec, g));
  }

  private applyGroup(node: NodeRecord, g: ReportGroup, now: number): void {
    let rec = node.pulls.get(g.key);
    if (rec && isFinished(rec.status)) {
      if (isSameFinishedAttempt(rec, g)) return;
      rec = undefined;
    }
    if (!rec) rec = this.createRecord(node, g, now);

    const { changed, transitions } = mergeReportGroup(rec, g, now);
    rec.layersOmitted = g.layersOmitted;
    const sharedChanged = resolveSharedLayers(rec, g.layers, (key) => node.pulls.get(key)?.id);
    for (const t of transitions) this.emitLayer(t.type, rec, t.layer, now);
    const t = pullTotals(rec);
    if (t.downloadedBytes > rec.counter) {
      rec.counter = t.downloadedBytes;
      rec.lastProgressAt = now;
    }
    rec.rate.add(now, rec.counter);
    rec.percent = Math.max(rec.percent, percentOf(t));
    const renamed = this.updateName(rec);
    const podsChanged = this.updatePods(rec);

    if (g.status === 'completed') {
      this.finish(rec, 'completed', now);
      return;
    }
    if (g.status === 'failed') {
      this.finish(rec, 'failed', now, g.error || 'the agent reported the pull failed', g.failureReason);
      return;
    }
    if (g.status === 'unpacking' && rec.status === 'unpacking' && g.unpackingLayer !== rec.unpackingLayer) {
      rec.unpackingLayer = g.unpackingLayer;
      this.emit('pull.progress', rec, now);
      return;
    }
    if (g.status === 'unpacking' && (rec.status === 'pulling' || rec.status === 'stalled')) {
      rec.unpackingLayer = g.unpackingLayer;
      rec.status = 'unpacking';
      rec.unpackStartedAt = Math.min(parseReportTime(g.unpackStartedAt) ?? now, now);
      rec.slow = false;
      rec.lowRateSince = undefined;
      this.emit('pull.unpacking', rec, now);
      return;
    }

    if (rec.status === 'stalled' && rec.lastProgressAt === now) {
      rec.status = 'pulling';
      this.emit('pull.progress', rec, now);
      return;
    }
    if (changed || sharedChanged || renamed || podsChanged || this.rateMoved(rec, now)) this.emit('pull.progress', rec, now);
  }

  /** Derived (the same on every replica) unless that id is already taken here, e.g. by a restored pull. */
  private newPullId(nodeName: string, g: ReportGroup): string {
    const id = pullIdFor(this.limits.cluster ?? 'default', nodeName, g.key, g.startedAt);
    return this.byId.has(id) ? randomPullId() : id;
  }

  private createRecord(node: NodeRecord, g: ReportGroup, now: number): PullRecord {
    const rec: PullRecord = {
      id: this.newPullId(node.name, g),
      ...(this.limits.cluster !== undefined ? { cluster: this.limits.cluster } : {}),
      key: g.key,
      nodeName: node.name,
      imageRef: g.imageRef,
      status: 'pulling',
      startedAt: Math.min(g.startedAt ?? now, now),
      agentStartedAt: g.startedAt,
      manifestDigest: g.manifestDigest,
      totalKnown: g.totalKnown,
      ingestGroup: g.ingestGroup,
      explicitStatus: g.status !== undefined,
      layers: new Map(),
      rate: new RateWindow(),
      counter: 0,
      percent: 0,
      lastProgressAt: now,
      pods: [],
    };
    node.pulls.set(g.key, rec);
    this.byId.set(rec.id, rec);
    // Counter starts at what is already downloaded, so bytes from before we saw the pull are not "speed".
    mergeReportGroup(rec, g, now);
    rec.counter = pullTotals(rec).downloadedBytes;
    rec.percent = percentOf(pullTotals(rec));
    this.updateName(rec);
    this.updatePods(rec);
    this.emit('pull.started', rec, now);
    for (const l of rec.layers.values()) if (l.state === 'downloading') this.emitLayer('layer.started', rec, l, now);
    return rec;
  }

  private onAbsent(rec: PullRecord, now: number): void {
    // The original agent's pulls simply vanish when done. A new-shape agent always reports a
    // final status first, so vanishing mid-pull means it lost track (e.g. it restarted).
    if (!rec.explicitStatus) {
      this.finish(rec, 'completed', now);
      return;
    }
    const t = pullTotals(rec);
    if (rec.totalKnown && t.downloadedBytes >= t.totalBytes) {
      this.finish(rec, 'completed', now);
      return;
    }
    this.finish(rec, 'failed', now, `the agent on ${rec.nodeName} stopped reporting this pull before it completed`);
  }

  private finish(rec: PullRecord, status: 'completed' | 'failed', now: number, error?: string, reason?: FailureReason): void {
    rec.status = status;
    rec.completedAt = now;
    rec.slow = false;
    rec.lowRateSince = undefined;
    if (status === 'completed') {
      for (const l of rec.layers.values()) {
        // The owner committed it (or the image exists): everything this pull needed is here.
        if (l.state === 'shared' && l.totalBytes > 0) l.downloadedBytes = l.totalBytes;
        if (l.state !== 'waiting' && l.state !== 'downloading') continue;
        markLayerDone(l, now);
        this.emitLayer('layer.completed', rec, l, now);
      }
      const t = pullTotals(rec);
      rec.counter = Math.max(rec.counter, t.downloadedBytes);
      rec.percent = 100;
    } else {
      rec.error = redactOptional(error);
      rec.failureReason = reason ?? refineFailure(undefined, rec.error);
    }
    this.emit(status === 'completed' ? 'pull.completed' : 'pull.failed', rec, now);
  }

  private updateName(rec: PullRecord): boolean {
    const exact = this.nameResolver(rec);
    if (!exact || exact === rec.imageRef) return false;
    rec.imageRef = exact;
    return true;
  }

  private updatePods(rec: PullRecord): boolean {
    const pods = this.podResolver(rec);
    if (samePods(pods, rec.pods)) return false;
    rec.pods = pods;
    return true;
  }

  /** Recomputes `slow`; true when it flipped (worth an event). */
  private updateSlow(rec: PullRecord, now: number): boolean {
    const settings = this.slowSettings;
    const bytesPerSec = rec.rate.rate(now);
    const input = { status: rec.status, bytesPerSec, etaSeconds: undefined as number | undefined, lowRateSince: rec.lowRateSince };
    input.lowRateSince = nextLowRateSince(input, now, settings);
    rec.lowRateSince = input.lowRateSince;
    if (rec.status === 'pulling' && bytesPerSec > 0 && rec.totalKnown) {
      const t = pullTotals(rec);
      input.etaSeconds = (t.totalBytes - t.downloadedBytes) / bytesPerSec;
    }
    const slow = isSlow(input, now, settings);
    if (slow === (rec.slow === true)) return false;
    rec.slow = slow;
    return true;
  }

  private rateMoved(rec: PullRecord, now: number): boolean {
    const r = rec.rate.rate(now);
    const prev = this.lastRate.get(rec) ?? 0;
    if (prev === r) return false;
    if (r === 0 || prev === 0 || Math.abs(r - prev) / prev > RATE_CHANGE_EVENT) return true;
    return false;
  }

  private emit(type: PullEventType, rec: PullRecord, now: number): void {
    const pull = pullStatus(rec, now, true);
    this.lastRate.set(rec, rec.rate.rate(now));
    const event: PullEvent = { schemaVersion: 'v1', timestamp: new Date(now).toISOString(), type, nodeName: rec.nodeName, pull };
    this.bus.publish(event);
  }

  private emitLayer(type: PullEventType, rec: PullRecord, l: LayerRecord, now: number): void {
    const event: PullEvent = {
      schemaVersion: 'v1',
      timestamp: new Date(now).toISOString(),
      type,
      nodeName: rec.nodeName,
      pull: pullStatus(rec, now, false),
      layer: layerStatus(rec, l, now),
    };
    this.bus.publish(event);
  }
}

/**
 * Reports about a pull the server already finished: the agent repeats a final status for a few
 * reports, and may still say "pulling" for the attempt kubelet already failed or completed (the
 * agent names an attempt by its start time). Only a pull with a new start is a new pull.
 */
function isSameFinishedAttempt(rec: PullRecord, g: ReportGroup): boolean {
  if (g.status === 'completed' || g.status === 'failed') return true;
  return g.startedAt !== undefined && rec.agentStartedAt === g.startedAt;
}

function samePods(a: PodRef[], b: PodRef[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as PodRef;
    const y = b[i] as PodRef;
    if (x.namespace !== y.namespace || x.podName !== y.podName || x.container !== y.container || x.image !== y.image) return false;
  }
  return true;
}

function definedOnly(limits: Partial<SlowSettings>): Partial<SlowSettings> {
  const out: Partial<SlowSettings> = {};
  if (limits.slowEtaMs !== undefined) out.slowEtaMs = limits.slowEtaMs;
  if (limits.slowRateBytesPerSec !== undefined) out.slowRateBytesPerSec = limits.slowRateBytesPerSec;
  return out;
}
