// The pull state machine: pulling ⇄ stalled → completed | failed. Fed by agent reports and
// timer ticks; publishes one PullEvent per transition. Knows nothing about HTTP.
// A report costs time linear in its size: layers are merged once, totals summed once per pull,
// and every layer event of that pull shares one status object built after the merge.
import { redactOptional } from '../../common/index.js';
import type {
  AgentInfo,
  AgentReport,
  AgentStatus,
  FailureReason,
  PodRef,
  PullEvent,
  PullEventType,
  PullStatus,
} from '../../model/index.js';
import { DEFAULT_CLUSTER, isEmptyFilter, isFinished, matchesFilter, type PullFilter } from '../../pulls/index.js';
import type { PullEventBus } from '../events/pullEventBus.js';
import { OriginalReportShape } from '../ingest/originalReportShape.js';
import { refineFailure } from './failureReason.js';
import { OrderedPulls } from './orderedPulls.js';
import { pullIdFor, randomPullId } from './pullId.js';
import type { PullOrderKey } from './pullOrder.js';
import {
  compactFinished,
  emptyTotals,
  type LayerRecord,
  layerStatus,
  type PullRecord,
  percentOf,
  pullStatus,
  recordFromStatus,
  refreshTotals,
  resumeRates,
} from './pullRecord.js';
import { RateWindow } from './rateWindow.js';
import { groupLimitProblem, groupReportPulls, parseReportTime, type ReportGroup } from './reportGrouping.js';
import { type LayerTransition, markLayerDone, mergeReportGroup } from './reportMerge.js';
import { resolveSharedLayers } from './sharedLayers.js';
import { isSlow, nextLowRateSince, type SlowSettings } from './slowPull.js';

export interface TrackerLimits extends Partial<SlowSettings> {
  stallTimeoutMs: number;
  historyTtlMs: number;
  maxNodes: number;
  maxPulls: number;
  /** pulls one node may hold in the live view (finished ones are dropped first to make room) */
  maxPullsPerNode?: number;
  /** a node silent this long has its unfinished pulls failed; 0 or absent: never */
  nodeTimeoutMs?: number;
  /** the cluster this server names (PULLTRACE_CLUSTER); part of every derived pull id */
  cluster?: string;
}

export class CapacityError extends Error {
  constructor(
    readonly what: 'nodes' | 'pulls' | 'pullsPerNode',
    limit: number,
    nodeName = '',
  ) {
    super(
      what === 'nodes'
        ? `the server tracks at most ${limit} nodes (PULLTRACE_MAX_NODES)`
        : what === 'pulls'
          ? `the server holds at most ${limit} pulls (PULLTRACE_MAX_PULLS)`
          : `node ${nodeName} has at most ${limit} unfinished pulls (PULLTRACE_MAX_PULLS_PER_NODE)`,
    );
  }
}

/** A report the schema accepts but the tracker cannot take (too many layers in one pull once merged). */
export class ReportLimitError extends Error {}

/** Error text of a pull failed because its node went silent (the contract's wording). */
export function agentLostError(nodeName: string): string {
  return `agent on ${nodeName} stopped reporting`;
}

interface NodeRecord {
  name: string;
  /** the current attempt per key (manifest digest or image reference); a finished one stays until TTL */
  pulls: Map<string, PullRecord>;
  /** finished attempts replaced by a newer pull of the same key, kept until TTL */
  older: Map<string, PullRecord>;
  lastReportAt: number;
  reportGapMs: number;
  /** its pulls were failed for silence; cleared by its next report */
  silent: boolean;
  /** an agent has reported for it (not only kubelet events or restored history) */
  heard: boolean;
  /** another cluster's node, seen through the shared report log; absent for this server's own */
  cluster?: string;
  /** what its agent said it runs, from its latest report */
  agent?: AgentInfo;
}

/**
 * Heard from within three of its own report intervals (at least 1 s each), and not timed out: the
 * one rule for the agents gauge and GET /api/v1/agents, so the two never disagree.
 */
function isReporting(node: NodeRecord, now: number): boolean {
  return node.lastReportAt > 0 && !node.silent && now - node.lastReportAt <= 3 * Math.max(node.reportGapMs, 1000);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Nodes of this server's cluster are keyed by name; another cluster's by cluster and name (names repeat across clusters). */
function nodeKey(name: string, cluster: string | undefined): string {
  return cluster === undefined ? name : `${cluster}\0${name}`;
}

/** kubelet's own figures for a pull, from its `Successfully pulled image … in 3.2s (5.1s including waiting). Image size: …`. */
export interface KubeletFigures {
  pullSeconds: number | undefined;
  imageBytes: number | undefined;
  withWaitingSeconds: number | undefined;
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
  /** the same records in the served order (for /api/v1/pulls and its pages) */
  private readonly ordered = new OrderedPulls<PullRecord>();
  private readonly lastRate = new WeakMap<PullRecord, number>();
  private readonly slowSettings: SlowSettings;
  /** the original agent's reports, turned into the current shape before anything else */
  private readonly originalShape = new OriginalReportShape();
  /** no node is timed out for silence counted from before this (holdNodeTimeouts) */
  private nodeTimeoutsHeldUntil = 0;
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

  /**
   * Applies one node's full snapshot. Throws ReportLimitError or CapacityError before changing
   * anything (dropping the node's own finished pulls to make room is the only exception).
   */
  applyReport(received: AgentReport, now: number, cluster?: string): void {
    const adapted = this.originalShape.adapt(received);
    const report = adapted.report;
    const groups = groupReportPulls(report.pulls);
    const problem = groupLimitProblem(groups);
    if (problem) throw new ReportLimitError(problem);
    // `cluster`: the report came through the shared log from another cluster (multi-cluster view).
    const foreign = cluster !== undefined && cluster !== (this.limits.cluster ?? DEFAULT_CLUSTER) ? cluster : undefined;
    let node = this.nodes.get(nodeKey(report.nodeName, foreign));
    const newPulls = groups.filter((g) => this.needsNewRecord(node, g)).length;
    const evict = this.roomFor(node, report.nodeName, newPulls, new Set(groups.map((g) => g.key)));

    if (!node) {
      node = { name: report.nodeName, pulls: new Map(), older: new Map(), lastReportAt: now, reportGapMs: 0, silent: false, heard: true };
      if (foreign !== undefined) node.cluster = foreign;
      this.nodes.set(nodeKey(node.name, foreign), node);
    } else {
      node.reportGapMs = node.heard ? now - node.lastReportAt : 0;
      node.heard = true;
      node.lastReportAt = now;
      node.silent = false;
    }
    if (report.agent) node.agent = report.agent;
    for (const rec of evict) this.forget(node, rec);
    adapted.commit();

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

  /**
   * Agents' reports are being refused for a reason that is not theirs (the API server cannot check
   * their tokens), until `until` at least: a node's silence counts from then, not from its last
   * report, so such an outage fails no pull. Which nodes are refused cannot be known (their
   * tokens cannot be checked), so this holds every node.
   */
  holdNodeTimeouts(until: number): void {
    this.nodeTimeoutsHeldUntil = Math.max(this.nodeTimeoutsHeldUntil, until);
  }

  /** Stall detection, silent nodes and TTL cleanup; call about once a second. */
  tick(now: number): void {
    const timeout = this.limits.nodeTimeoutMs ?? 0;
    for (const node of this.nodes.values()) {
      const silentSince = Math.max(node.lastReportAt, this.nodeTimeoutsHeldUntil);
      const silent = timeout > 0 && node.heard && !node.silent && now - silentSince >= timeout;
      if (silent) node.silent = true;
      for (const rec of node.pulls.values()) {
        if (silent && !isFinished(rec.status)) {
          this.finish(rec, 'failed', now, agentLostError(node.name), 'agent_lost');
          rec.agentLost = true;
        } else if (rec.status === 'pulling' && now - rec.lastProgressAt >= this.limits.stallTimeoutMs) {
          rec.status = 'stalled';
          rec.slow = false;
          this.emit('pull.stalled', rec, now);
        } else if (rec.status === 'pulling' || rec.status === 'stalled') {
          if (this.updateSlow(rec, now)) this.emit('pull.progress', rec, now);
        } else if (this.expired(rec, now)) {
          this.forget(node, rec);
        }
      }
      for (const rec of node.older.values()) if (this.expired(rec, now)) this.forget(node, rec);
      if (node.pulls.size === 0 && node.older.size === 0 && now - node.lastReportAt > NODE_FORGET_MS) {
        this.nodes.delete(nodeKey(node.name, node.cluster));
        // the original-shape adapter knows nodes by name (that agent predates clusters)
        if (node.cluster === undefined) this.originalShape.forget(node.name);
      }
    }
  }

  /** Marks an active pull failed (from the agent or from kubelet). Returns false if unknown or finished. */
  failPull(id: string, error: string, now: number, reason?: FailureReason): boolean {
    const rec = this.byId.get(id);
    if (!rec || isFinished(rec.status)) return false;
    this.finish(rec, 'failed', now, error, reason);
    return true;
  }

  /**
   * Marks an active pull completed (kubelet's `Successfully pulled image`), with kubelet's own
   * figures when it gave them: they ride on the one `pull.completed` event.
   */
  completePull(id: string, now: number, kubelet?: KubeletFigures): boolean {
    const rec = this.byId.get(id);
    if (!rec || isFinished(rec.status)) return false;
    if (kubelet) applyKubeletFigures(rec, kubelet);
    this.finish(rec, 'completed', now);
    return true;
  }

  /**
   * Records kubelet's own pull time and image size. A change is published like any other
   * (`pull.progress`, also for a finished pull), so SSE, logs, metrics and history all hear it.
   * Returns the pull's status, or undefined if unknown.
   */
  annotateKubelet(
    id: string,
    pullSeconds: number | undefined,
    imageBytes: number | undefined,
    now: number,
    withWaitingSeconds?: number,
  ): PullStatus | undefined {
    const rec = this.byId.get(id);
    if (!rec) return undefined;
    if (applyKubeletFigures(rec, { pullSeconds, imageBytes, withWaitingSeconds })) return this.emit('pull.progress', rec, now);
    return pullStatus(rec, now, true);
  }

  /**
   * Replaces the error text of a failed pull (kubelet's message is more useful than the agent's),
   * published as `pull.progress` of the failed pull. Returns the new status, or undefined when
   * nothing changed.
   */
  refineError(id: string, error: string, now: number): PullStatus | undefined {
    const rec = this.byId.get(id);
    if (rec?.status !== 'failed' || rec.error === error) return undefined;
    rec.error = error;
    rec.failureReason = refineFailure(rec.failureReason, error);
    return this.emit('pull.progress', rec, now);
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
      this.ordered.add(rec);
      const node = this.nodeFor(p.nodeName);
      const existing = node.pulls.get(rec.key);
      if (!existing || (existing.completedAt ?? 0) < (rec.completedAt ?? 0)) {
        if (existing) node.older.set(existing.id, existing);
        node.pulls.set(rec.key, rec);
      } else {
        node.older.set(rec.id, rec);
      }
    }
  }

  /**
   * Starts (or returns) a pull known only from outside the agent, e.g. a kubelet failure with no
   * bytes. Within the same caps as reports: throws CapacityError, changing nothing, when there is
   * no room (the node's own finished pulls are dropped first to make some).
   */
  ensurePull(nodeName: string, imageRef: string, now: number): PullRecord {
    const known = this.nodes.get(nodeName);
    const existing = known?.pulls.get(imageRef);
    if (existing && !isFinished(existing.status)) return existing;
    const evict = this.roomFor(known, nodeName, 1, new Set([imageRef]));
    const node = known ?? this.nodeFor(nodeName);
    for (const rec of evict) this.forget(node, rec);
    // Started now: its id derives from that time, so replicas applying the same action (at the
    // same log time) name it alike.
    return this.createRecord(node, { key: imageRef, imageRef, totalKnown: false, layers: [], firstIndex: 0, startedAt: now }, now);
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

  /**
   * Ids of the pulls matching `filter`, in the served order (pullOrder.ts): every one, or with
   * `limit` the first `limit` after `after`, and `next` (the last one's position) when more follow.
   * Reads records already in order and builds no status: 50,000 pulls are chosen in milliseconds.
   */
  orderedIds(filter: PullFilter, page: { after?: PullOrderKey; limit?: number } = {}): { ids: string[]; next?: PullOrderKey } {
    const ids: string[] = [];
    const all = isEmptyFilter(filter);
    const limit = page.limit ?? Number.POSITIVE_INFINITY;
    let last: PullRecord | undefined;
    for (const rec of this.ordered.after(page.after)) {
      if (!all && !matchesFilter(rec, filter)) continue;
      // One more match than the page holds says that a next page exists.
      if (ids.length === limit) return { ids, next: { startedAt: (last as PullRecord).startedAt, id: (last as PullRecord).id } };
      ids.push(rec.id);
      last = rec;
    }
    return { ids };
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
    for (const node of this.nodes.values()) if (isReporting(node, now)) n++;
    return n;
  }

  /** Every node an agent has reported for, by cluster and name: whether it still reports, and what it runs. */
  agents(now: number): AgentStatus[] {
    const out: AgentStatus[] = [];
    for (const node of this.nodes.values()) {
      if (!node.heard) continue;
      const entry: AgentStatus = {
        nodeName: node.name,
        cluster: node.cluster ?? this.limits.cluster ?? DEFAULT_CLUSTER,
        lastReportAt: new Date(node.lastReportAt).toISOString(),
        state: isReporting(node, now) ? 'reporting' : 'silent',
      };
      if (node.agent?.version) entry.agentVersion = node.agent.version;
      if (node.agent?.runtime) entry.runtime = node.agent.runtime;
      if (node.agent?.runtimeVersion) entry.runtimeVersion = node.agent.runtimeVersion;
      out.push(entry);
    }
    return out.sort((a, b) => compareText(a.cluster, b.cluster) || compareText(a.nodeName, b.nodeName));
  }

  // ---- internals ----

  private nodeFor(name: string): NodeRecord {
    let node = this.nodes.get(name);
    if (!node) {
      node = { name, pulls: new Map(), older: new Map(), lastReportAt: 0, reportGapMs: 0, silent: false, heard: false };
      this.nodes.set(name, node);
    }
    return node;
  }

  private expired(rec: PullRecord, now: number): boolean {
    return isFinished(rec.status) && (rec.completedAt ?? now) + this.limits.historyTtlMs <= now;
  }

  private forget(node: NodeRecord, rec: PullRecord): void {
    if (node.pulls.get(rec.key) === rec) node.pulls.delete(rec.key);
    node.older.delete(rec.id);
    if (this.byId.get(rec.id) === rec) {
      this.byId.delete(rec.id);
      this.ordered.remove(rec);
    }
  }

  /**
   * What must be dropped so `newPulls` more fit on the node (`nodeName`, `node` when known) within
   * PULLTRACE_MAX_NODES, PULLTRACE_MAX_PULLS_PER_NODE and PULLTRACE_MAX_PULLS; throws CapacityError
   * when they cannot. Only the node's finished pulls of other keys than `keep` may be dropped.
   */
  private roomFor(node: NodeRecord | undefined, nodeName: string, newPulls: number, keep: Set<string>): PullRecord[] {
    if (!node && this.nodes.size >= this.limits.maxNodes) throw new CapacityError('nodes', this.limits.maxNodes);
    const evictable = node && newPulls > 0 ? this.evictableFinished(node, keep) : [];
    const perNode = this.limits.maxPullsPerNode ?? Number.POSITIVE_INFINITY;
    const held = node ? node.pulls.size + node.older.size : 0;
    const mustEvict = Math.max(0, held + newPulls - perNode);
    if (mustEvict > evictable.length) throw new CapacityError('pullsPerNode', perNode, nodeName);
    if (newPulls > 0 && this.byId.size - mustEvict + newPulls > this.limits.maxPulls)
      throw new CapacityError('pulls', this.limits.maxPulls);
    return evictable.slice(0, mustEvict);
  }

  /** The node's finished pulls not of the `kept` keys, oldest first: dropped first when the node is at its cap. */
  private evictableFinished(node: NodeRecord, kept: Set<string>): PullRecord[] {
    const out = [...node.older.values()];
    for (const rec of node.pulls.values()) if (isFinished(rec.status) && !kept.has(rec.key)) out.push(rec);
    return out.sort((a, b) => (a.completedAt ?? 0) - (b.completedAt ?? 0));
  }

  private needsNewRecord(node: NodeRecord | undefined, g: ReportGroup): boolean {
    const rec = node?.pulls.get(g.key);
    return !rec || (isFinished(rec.status) && !isSameFinishedAttempt(rec, g) && !canResume(rec, g));
  }

  private applyGroup(node: NodeRecord, g: ReportGroup, now: number): void {
    let rec = node.pulls.get(g.key);
    if (rec && isFinished(rec.status)) {
      if (canResume(rec, g)) {
        this.resume(rec, now);
      } else if (isSameFinishedAttempt(rec, g)) {
        return;
      } else {
        rec = undefined;
      }
    }
    let changed = false;
    let renamed = false;
    let podsChanged = false;
    let sharedChanged = false;
    if (!rec) {
      // Merged, named and announced (with its layers' starts) by createRecord.
      rec = this.createRecord(node, g, now);
      rec.rate.add(now, rec.downloadedHighWater);
    } else {
      const merged = mergeReportGroup(rec, g, now);
      changed = merged.changed;
      rec.layersOmitted = g.layersOmitted;
      sharedChanged = resolveSharedLayers(rec, g.layers, (key) => node.pulls.get(key)?.id);
      const t = rec.totals;
      if (t.downloadedBytes > rec.downloadedHighWater) {
        rec.downloadedHighWater = t.downloadedBytes;
        rec.lastProgressAt = now;
      }
      rec.rate.add(now, rec.downloadedHighWater);
      rec.percent = Math.max(rec.percent, percentOf(t));
      renamed = this.updateName(rec);
      podsChanged = this.updatePods(rec);
      // After the pull's figures are updated, so each layer event carries the current pull.
      this.emitLayers(rec, merged.transitions, now);
    }

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
  private newPullId(node: NodeRecord, g: ReportGroup): string {
    const id = pullIdFor(node.cluster ?? this.limits.cluster ?? DEFAULT_CLUSTER, node.name, g.key, g.startedAt);
    return this.byId.has(id) ? randomPullId() : id;
  }

  /** A pull failed for its node's silence is reported again: it continues under the same id. */
  private resume(rec: PullRecord, now: number): void {
    resumeRates(rec);
    rec.status = 'pulling';
    rec.agentLost = false;
    rec.completedAt = undefined;
    rec.error = undefined;
    rec.failureReason = undefined;
    rec.lastProgressAt = now;
    this.emit('pull.resumed', rec, now);
  }

  private createRecord(node: NodeRecord, g: ReportGroup, now: number): PullRecord {
    const rec: PullRecord = {
      id: this.newPullId(node, g),
      ...((node.cluster ?? this.limits.cluster) !== undefined ? { cluster: node.cluster ?? this.limits.cluster } : {}),
      key: g.key,
      nodeName: node.name,
      imageRef: g.imageRef,
      status: 'pulling',
      startedAt: Math.min(g.startedAt ?? now, now),
      agentStartedAt: g.startedAt,
      manifestDigest: g.manifestDigest,
      totalKnown: g.totalKnown,
      layers: new Map(),
      totals: emptyTotals(),
      rate: new RateWindow(),
      downloadedHighWater: 0,
      percent: 0,
      lastProgressAt: now,
      pods: [],
    };
    // A finished attempt of the same image stays in the live view until its TTL.
    const previous = node.pulls.get(g.key);
    if (previous) node.older.set(previous.id, previous);
    node.pulls.set(g.key, rec);
    this.byId.set(rec.id, rec);
    this.ordered.add(rec);
    // The high-water mark starts at what is already downloaded, so bytes from before we saw the pull are not "speed".
    mergeReportGroup(rec, g, now);
    rec.layersOmitted = g.layersOmitted;
    resolveSharedLayers(rec, g.layers, (key) => node.pulls.get(key)?.id);
    rec.downloadedHighWater = rec.totals.downloadedBytes;
    rec.percent = percentOf(rec.totals);
    this.updateName(rec);
    this.updatePods(rec);
    this.emit('pull.started', rec, now);
    const started: LayerTransition[] = [];
    for (const l of rec.layers.values()) if (l.state === 'downloading') started.push({ type: 'layer.started', layer: l });
    this.emitLayers(rec, started, now);
    return rec;
  }

  private onAbsent(rec: PullRecord, now: number): void {
    // An agent reports a final status first (the original shape's vanishing pulls were made
    // explicit by originalReportShape.ts), so vanishing mid-pull means it lost track (e.g. it restarted).
    const t = rec.totals;
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
      const completed: LayerTransition[] = [];
      for (const l of rec.layers.values()) {
        // The owner committed it (or the image exists): everything this pull needed is here.
        if (l.state === 'shared' && l.totalBytes > 0) l.downloadedBytes = l.totalBytes;
        if (l.state !== 'waiting' && l.state !== 'downloading') continue;
        markLayerDone(l, now);
        completed.push({ type: 'layer.completed', layer: l });
      }
      const t = refreshTotals(rec);
      rec.downloadedHighWater = Math.max(rec.downloadedHighWater, t.downloadedBytes);
      rec.percent = 100;
      this.emitLayers(rec, completed, now);
    } else {
      rec.error = redactOptional(error);
      rec.failureReason = reason ?? refineFailure(undefined, rec.error);
    }
    this.emit(status === 'completed' ? 'pull.completed' : 'pull.failed', rec, now);
    compactFinished(rec);
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
      const t = rec.totals;
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

  /** The one place a pull's change leaves the tracker; returns the status it published. */
  private emit(type: PullEventType, rec: PullRecord, now: number): PullStatus {
    const pull = pullStatus(rec, now, true);
    this.lastRate.set(rec, rec.rate.rate(now));
    const event: PullEvent = { schemaVersion: 'v1', timestamp: new Date(now).toISOString(), type, nodeName: rec.nodeName, pull };
    this.bus.publish(event);
    return pull;
  }

  /** One event per layer transition; they share one (read-only) status of the pull, built once. */
  private emitLayers(rec: PullRecord, transitions: LayerTransition[], now: number): void {
    if (transitions.length === 0) return;
    const pull = pullStatus(rec, now, false);
    const timestamp = new Date(now).toISOString();
    for (const t of transitions) this.emitLayer(t.type, rec, t.layer, pull, timestamp, now);
  }

  private emitLayer(type: PullEventType, rec: PullRecord, l: LayerRecord, pull: PullStatus, timestamp: string, now: number): void {
    const event: PullEvent = { schemaVersion: 'v1', timestamp, type, nodeName: rec.nodeName, pull, layer: layerStatus(rec, l, now) };
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

/** A pull the server failed because its agent went silent, reported again as the same attempt. */
function canResume(rec: PullRecord, g: ReportGroup): boolean {
  if (!rec.agentLost) return false;
  return g.startedAt === undefined || rec.agentStartedAt === undefined || rec.agentStartedAt === g.startedAt;
}

/** Keeps the kubelet figures a reader can use; true when the pull changed. */
function applyKubeletFigures(rec: PullRecord, k: KubeletFigures): boolean {
  const before = [rec.kubeletPullSeconds, rec.kubeletImageBytes, rec.waitSeconds];
  // Event text is written by whoever may create Events: keep only numbers a reader can use.
  if (k.pullSeconds !== undefined && Number.isFinite(k.pullSeconds) && k.pullSeconds >= 0) rec.kubeletPullSeconds = k.pullSeconds;
  if (k.imageBytes !== undefined && Number.isSafeInteger(k.imageBytes) && k.imageBytes >= 0) rec.kubeletImageBytes = k.imageBytes;
  // kubelet 1.26+: "in 3.2s (5.1s including waiting)" — the difference is time queued before the pull.
  if (rec.kubeletPullSeconds !== undefined && k.withWaitingSeconds !== undefined && Number.isFinite(k.withWaitingSeconds)) {
    rec.waitSeconds = Math.round(Math.max(0, k.withWaitingSeconds - rec.kubeletPullSeconds) * 1000) / 1000;
  }
  return before[0] !== rec.kubeletPullSeconds || before[1] !== rec.kubeletImageBytes || before[2] !== rec.waitSeconds;
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
