// The agent's memory of the pulls on this node, advanced once per poll from plain observations of
// containerd (no I/O here). containerd only knows blobs; this turns them into pulls:
//   ingest (`layer-sha256:…`) → the manifest whose labels name that blob → the image.
// containerd forgets a failed pull at once (ingests, manifest and config go with its lease), so
// everything needed to report the failure is kept here.
import type { LayerState, ReportLayer, ReportPull } from '../../model/index.js';
// The limits file alone, not the model's index: the index loads every schema (TypeBox) into each agent.
import { REPORT_LIMITS } from '../../model/reportLimits.js';
import type { BlobInfo, ImageRecord, IngestStatus } from '../containerd/types.js';
import { parseIngestRef } from './ingestRef.js';
import { distributionRepository, preferredImageName } from './labels.js';
import type { Descriptor, ImageManifest } from './manifest.js';

/** A manifest found for an unknown ingest: everything needed to start tracking its pull. */
export interface DiscoveredPull {
  manifest: BlobInfo;
  doc: ImageManifest;
  /** the index naming this (platform) manifest, when the pull came through one */
  index?: BlobInfo;
  /** best name before the image record exists (`registry/repository`) */
  repository?: string;
  /** presence of the config and layers at discovery time; null = not in the content store */
  blobs: Map<string, BlobInfo | null>;
}

export interface PollObservation {
  nowMs: number;
  /** every active ingest of the namespace */
  ingests: IngestStatus[];
  discovered: DiscoveredPull[];
  /** presence of the digests `digestsToCheck()` asked for; null = not in the content store */
  blobs: Map<string, BlobInfo | null>;
  /** image records whose target is one of `imageTargets()` */
  images: ImageRecord[];
}

/** One resolution step, for `--log-level debug`. */
export interface Decision {
  pull: string;
  digest?: string;
  decision: string;
}

interface TrackedBlob {
  desc: Descriptor;
  state: LayerState;
  /** bytes on the node; for a shared blob, the owner's progress */
  downloaded: number;
  /** state `shared`: key of the pull on this node that downloads this blob */
  sharedWith?: string;
  /** state `shared`: the owner as reports name pulls (its index or manifest digest) */
  sharedWithDigest?: string;
  /** containerd labelled it `containerd.io/uncompressed`: applied to the snapshotter */
  unpacked?: boolean;
  seenIngest: boolean;
  /** consecutive polls in which the ingest was gone and the blob absent */
  vanishedPolls: number;
}

export type TrackedStatus = 'pulling' | 'unpacking' | 'completed' | 'failed';

export interface TrackedPull {
  key: string;
  manifestDigest: string;
  indexDigest?: string;
  startedAtMs: number;
  repository?: string;
  imageName?: string;
  /** config first, then layers in manifest order */
  blobs: TrackedBlob[];
  status: TrackedStatus;
  error?: string;
  finishedAtMs?: number;
  /** the final status reached the server (acknowledged report) */
  finalDelivered: boolean;
  /** polls since every blob was committed and unpacked, waiting briefly for the image record that names the pull */
  settledPolls: number;
  /** every blob on the node since then; containerd unpacks until the image record appears */
  unpackStartedAtMs?: number;
  /** last time a layer was seen unpacked (or unpacking began) */
  unpackProgressAtMs?: number;
  /** the layer being unpacked: the first one, in manifest order, not yet labelled uncompressed */
  unpackingLayer?: string;
  /** containerd was unreachable since then: its writers may be gone, this pull must show it is still alive */
  outageSinceMs?: number;
  pollsSinceOutage: number;
}

/** A gone ingest with no blob must be seen twice: commit (rename, then metadata write) is not atomic to a lister. */
const VANISHED_POLLS_FOR_FAILURE = 2;
/** Finished pulls the server never acknowledged are forgotten after this long anyway (bounded memory). */
const FINISHED_RETENTION_MS = 60 * 60 * 1000;
/** After the last layer is unpacked containerd writes the image record: wait this many polls for its name. */
const IMAGE_RECORD_GRACE_POLLS = 2;
/** containerd's label on a layer blob once it was applied to the snapshotter (1.6, 1.7, 2.x). */
const UNCOMPRESSED_LABEL = 'containerd.io/uncompressed';
export const DEFAULT_UNPACK_TIMEOUT_MS = 10 * 60_000;
/** Which pull downloaded a blob is remembered this long, so a pull discovered late never counts it again. */
const DOWNLOAD_MEMORY_MS = 10 * 60 * 1000;
/** Limits of the AgentReport schema (contract §3): a report over them would be refused whole. */
const MAX_REPORT_PULLS = REPORT_LIMITS.pulls;
const MAX_ERROR_CHARS = REPORT_LIMITS.errorChars;
/** Polls after containerd came back in which an interrupted pull must show a moving ingest. */
const RESUME_GRACE_POLLS = 3;

export const pullKey = (manifestDigest: string, startedAtMs: number) => `${manifestDigest}@${startedAtMs}`;

/** The pulls of this node as the agent knows them: what each ingest belongs to, and each pull's state. */
export class NodePulls {
  private readonly pulls = new Map<string, TrackedPull>();
  /** blob digest → the pull that downloaded it (key and report digest), and when */
  private readonly downloadedBy = new Map<string, { key: string; digest: string; atMs: number }>();
  /** manifest and index digests of pulls finished recently (their image records must not start a pull again) */
  private readonly finishedTargets = new Map<string, number>();

  /**
   * `unpackTimeoutMs`: a pull whose blobs are all here but whose image record never comes (e.g.
   * `ctr content fetch`, which does not unpack) is completed after this long without unpack progress.
   */
  constructor(private readonly opts: { unpackTimeoutMs?: number } = {}) {}

  /** Pulls in report order (oldest first). */
  list(): TrackedPull[] {
    return [...this.pulls.values()].sort((a, b) => a.startedAtMs - b.startedAtMs || a.key.localeCompare(b.key));
  }

  /** Digests of layer/config ingests that no pull in progress accounts for: they need discovery. */
  unknownIngestDigests(ingests: IngestStatus[]): string[] {
    const known = new Set<string>();
    for (const p of this.active()) for (const b of p.blobs) known.add(b.desc.digest);
    const out = new Set<string>();
    for (const ingest of ingests) {
      const parsed = parseIngestRef(ingest.ref);
      if (!parsed || (parsed.kind !== 'layer' && parsed.kind !== 'config')) continue;
      if (!known.has(parsed.digest)) out.add(parsed.digest);
    }
    return [...out];
  }

  /**
   * True when a pull in memory (not failed), or one completed within the last minutes, has this
   * manifest or index digest: its image record is not a new pull.
   */
  knowsTarget(digest: string): boolean {
    if (this.finishedTargets.has(digest)) return true;
    for (const p of this.pulls.values()) {
      if (p.status !== 'failed' && (p.manifestDigest === digest || p.indexDigest === digest)) return true;
    }
    return false;
  }

  /** True when a pull in progress already stands for this manifest. */
  isTracking(manifestDigest: string): boolean {
    return this.active().some((p) => p.manifestDigest === manifestDigest);
  }

  /**
   * Digests whose presence the next `apply` needs: unsettled blobs without an active ingest (an
   * ingesting blob cannot be committed yet), and with them their manifest, whose removal is the
   * failure signal. A pull whose every unsettled blob is still ingesting needs nothing: containerd
   * deletes a failed pull's ingests together with its manifest.
   */
  digestsToCheck(ingests: IngestStatus[] = []): string[] {
    const ingesting = ingestDigests(ingests);
    const out = new Set<string>();
    for (const p of this.active()) {
      const unsettled = p.blobs.filter((b) => !isSettled(b) && !ingesting.has(b.desc.digest));
      // While unpacking, the layers' labels say how far containerd got.
      const unpacking = p.status === 'unpacking' ? p.blobs.filter(awaitsUnpack) : [];
      // A pull still named by digest looks at its manifest again for the source label.
      if (!p.repository) out.add(p.manifestDigest);
      if (unsettled.length === 0 && unpacking.length === 0) continue;
      out.add(p.manifestDigest);
      for (const b of [...unsettled, ...unpacking]) out.add(b.desc.digest);
    }
    return [...out];
  }

  /**
   * Targets (manifest, or its index) whose image record would complete and name a pull. A pull
   * with a download still active cannot have its record yet: containerd writes it last.
   */
  imageTargets(ingests: IngestStatus[] = []): string[] {
    const ingesting = ingestDigests(ingests);
    const out = new Set<string>();
    for (const p of this.active()) {
      if (p.blobs.some((b) => ingesting.has(b.desc.digest))) continue;
      out.add(p.manifestDigest);
      if (p.indexDigest) out.add(p.indexDigest);
    }
    return [...out];
  }

  apply(obs: PollObservation): Decision[] {
    const decisions: Decision[] = [];
    const ingests = new Map<string, IngestStatus>();
    for (const i of obs.ingests) {
      const parsed = parseIngestRef(i.ref);
      if (parsed) ingests.set(parsed.digest, i);
    }
    // Earlier pulls first, so a blob two new pulls share is owned by the one that started first.
    const discovered = [...obs.discovered].sort((a, b) => startOf(a) - startOf(b));
    const present = new Map(obs.blobs);
    for (const d of discovered) {
      this.start(d, decisions);
      for (const [digest, info] of d.blobs) if (!present.has(digest)) present.set(digest, info);
      present.set(d.manifest.digest, d.manifest);
    }
    for (const p of this.active()) this.advance(p, ingests, present, obs, decisions);
    this.forgetOld(obs.nowMs);
    return decisions;
  }

  /** The report entries: pulls in progress, and finished pulls until the server acknowledged their final status. */
  report(): ReportPull[] {
    const out: ReportPull[] = [];
    const byDigest = new Map<string, ReportPull>();
    for (const p of this.list()) {
      if (p.status !== 'pulling' && p.finalDelivered) continue;
      const entry = toReportPull(p);
      // The server keys pulls by manifest digest: a re-pull of the same image waits one report
      // until the previous pull's final status has been sent.
      const digest = entry.manifestDigest ?? '';
      if (byDigest.has(digest)) continue;
      byDigest.set(digest, entry);
      out.push(entry);
    }
    // The report schema caps the list; past it, the newest pulls are the ones worth showing.
    return out.length > MAX_REPORT_PULLS ? out.slice(out.length - MAX_REPORT_PULLS) : out;
  }

  /**
   * containerd was unreachable from `sinceMs` until now. A restart ends the writers of pulls in
   * progress (ctr or CRI lose their connection) but can leave their ingests and manifest behind,
   * looking like a stall forever: pulls whose downloads do not move again soon are failed.
   */
  containerdWasDown(sinceMs: number): void {
    for (const p of this.active()) {
      p.outageSinceMs = sinceMs;
      p.pollsSinceOutage = 0;
    }
  }

  /** Called when the server acknowledged a report: the final statuses it carried are delivered. */
  delivered(report: ReportPull[]): void {
    for (const r of report) {
      if (r.status === 'pulling' || r.status === 'unpacking' || !r.manifestDigest || !r.startedAt) continue;
      for (const p of this.pulls.values()) {
        if (p.status === r.status && reportDigest(p) === r.manifestDigest && iso(p.startedAtMs) === r.startedAt) p.finalDelivered = true;
      }
    }
    for (const [key, p] of this.pulls) {
      if (!p.finalDelivered) continue;
      this.pulls.delete(key);
      if (p.status !== 'completed') continue;
      this.finishedTargets.set(p.manifestDigest, p.finishedAtMs ?? 0);
      if (p.indexDigest) this.finishedTargets.set(p.indexDigest, p.finishedAtMs ?? 0);
    }
  }

  private active(): TrackedPull[] {
    return [...this.pulls.values()].filter((p) => p.status === 'pulling' || p.status === 'unpacking');
  }

  private start(d: DiscoveredPull, decisions: Decision[]): void {
    const startedAtMs = startOf(d);
    const key = pullKey(d.manifest.digest, startedAtMs);
    if (this.pulls.has(key) || this.isTracking(d.manifest.digest)) return;
    const pull: TrackedPull = {
      key,
      manifestDigest: d.manifest.digest,
      indexDigest: d.index?.digest,
      startedAtMs,
      repository: d.repository,
      blobs: [],
      status: 'pulling',
      finalDelivered: false,
      settledPolls: 0,
      pollsSinceOutage: 0,
    };
    decisions.push({
      pull: key,
      decision: `new pull: manifest ${d.manifest.digest}${d.index ? ` of index ${d.index.digest}` : ''} (${d.doc.layers.length} layers), named ${d.repository ?? 'by digest'} until its image record exists`,
    });
    for (const desc of [d.doc.config, ...d.doc.layers]) {
      const blob: TrackedBlob = { desc, state: 'waiting', downloaded: 0, seenIngest: false, vanishedPolls: 0 };
      const info = d.blobs.get(desc.digest);
      // A blob another pull still in progress brought is shared even if it was committed just before
      // this pull started: containerd 2.x holds this pull until that pull has unpacked it, and on
      // every version the two pulls are one download, counted once, never `cached` here.
      const active = this.ownerOf(desc.digest);
      const owner = active ?? (info ? this.downloadedBy.get(desc.digest) : undefined);
      if (info && info.createdAtMs < startedAtMs && !active) {
        blob.state = 'cached';
        decisions.push({ pull: key, digest: desc.digest, decision: 'cached: in the content store before the pull started' });
      } else if (owner) {
        blob.state = 'shared';
        blob.sharedWith = owner.key;
        blob.sharedWithDigest = owner.digest;
        if (info) blob.downloaded = desc.size;
        decisions.push({
          pull: key,
          digest: desc.digest,
          decision: `shared: downloaded by pull ${owner.key}; its bytes count there, its progress here`,
        });
      }
      pull.blobs.push(blob);
    }
    this.pulls.set(key, pull);
  }

  /** The pull in progress that downloads this blob itself, if any. */
  private ownerOf(digest: string): { key: string; digest: string } | undefined {
    const p = this.active().find((x) => x.blobs.some((b) => b.desc.digest === digest && b.state !== 'shared' && b.state !== 'cached'));
    return p ? { key: p.key, digest: reportDigest(p) } : undefined;
  }

  private advance(
    p: TrackedPull,
    ingests: Map<string, IngestStatus>,
    present: Map<string, BlobInfo | null>,
    obs: PollObservation,
    decisions: Decision[],
  ): void {
    const doneBefore = p.blobs.filter((b) => b.state === 'done').length;
    for (const b of p.blobs) this.advanceBlob(p, b, ingests, present, obs.nowMs, decisions);
    const committedNow = p.blobs.filter((b) => b.state === 'done').length > doneBefore;
    if (p.outageSinceMs !== undefined && this.checkResumed(p, ingests, committedNow, obs.nowMs, decisions)) return;

    const names = obs.images.filter((i) => i.targetDigest === p.manifestDigest || i.targetDigest === p.indexDigest).map((i) => i.name);
    const imageName = preferredImageName(names);
    if (imageName && imageName !== p.imageName) {
      p.imageName = imageName;
      decisions.push({ pull: p.key, decision: `named ${imageName} from its image record` });
    }

    // containerd labels the manifest with its children first and with its source a moment later:
    // a pull discovered in between learns its repository from a later look at the manifest.
    const manifestInfo = present.get(p.manifestDigest);
    if (!p.repository && manifestInfo) {
      p.repository = distributionRepository(manifestInfo.labels);
      if (p.repository) decisions.push({ pull: p.key, decision: `named ${p.repository} from the manifest's distribution-source label` });
    }
    if (present.get(p.manifestDigest) === null) {
      this.fail(p, obs.nowMs, decisions, `containerd removed the pull's manifest ${p.manifestDigest} and its partial downloads`);
      return;
    }
    const vanished = p.blobs.find((b) => b.vanishedPolls >= VANISHED_POLLS_FOR_FAILURE);
    if (vanished) {
      this.fail(p, obs.nowMs, decisions, `containerd discarded the download of ${vanished.desc.digest} before it completed`);
      return;
    }
    if (imageName) {
      // The image record is written only after every blob was fetched and unpacked.
      for (const b of p.blobs) {
        if (b.state === 'shared') b.downloaded = b.desc.size;
        if (b.state === 'waiting' || b.state === 'downloading') {
          decisions.push({
            pull: p.key,
            digest: b.desc.digest,
            decision: 'cached: image record exists but the blob was never fetched (its snapshot was already unpacked)',
          });
          b.state = 'cached';
          b.downloaded = 0;
        }
      }
    }
    if (imageName) {
      this.complete(p, obs.nowMs, decisions, 'completed: image record exists');
      return;
    }
    if (!p.blobs.every(isSettled)) return;
    if (p.status === 'pulling') {
      p.status = 'unpacking';
      p.unpackStartedAtMs = obs.nowMs;
      p.unpackProgressAtMs = obs.nowMs;
      decisions.push({ pull: p.key, decision: 'unpacking: every blob is on the node, waiting for the image record' });
    }
    this.advanceUnpack(p, present, obs.nowMs, decisions);
  }

  /** Unpack progress from the layers' `uncompressed` labels; completes when it is over or stopped. */
  private advanceUnpack(p: TrackedPull, present: Map<string, BlobInfo | null>, nowMs: number, decisions: Decision[]): void {
    for (const b of p.blobs.filter(awaitsUnpack)) {
      if (!present.get(b.desc.digest)?.labels[UNCOMPRESSED_LABEL]) continue;
      b.unpacked = true;
      p.unpackProgressAtMs = nowMs;
      decisions.push({ pull: p.key, digest: b.desc.digest, decision: 'unpacked (labelled uncompressed)' });
    }
    const next = p.blobs.find(awaitsUnpack)?.desc.digest;
    if (next !== p.unpackingLayer) {
      p.unpackingLayer = next;
      if (next) decisions.push({ pull: p.key, digest: next, decision: 'unpacking this layer' });
    }
    if (!next) p.settledPolls++;
    if (p.settledPolls > IMAGE_RECORD_GRACE_POLLS) {
      this.complete(p, nowMs, decisions, 'completed: every layer is unpacked (no image record yet)');
      return;
    }
    const timeoutMs = this.opts.unpackTimeoutMs ?? DEFAULT_UNPACK_TIMEOUT_MS;
    if (nowMs - (p.unpackProgressAtMs ?? nowMs) >= timeoutMs) {
      this.complete(
        p,
        nowMs,
        decisions,
        `completed: every blob is on the node, no image record and no unpack progress for ${timeoutMs / 1000}s`,
      );
    }
  }

  private complete(p: TrackedPull, nowMs: number, decisions: Decision[], why: string): void {
    p.status = 'completed';
    p.finishedAtMs = nowMs;
    p.unpackingLayer = undefined;
    decisions.push({ pull: p.key, decision: why });
  }

  /** True when the pull was failed because nothing resumed it after containerd came back. */
  private checkResumed(
    p: TrackedPull,
    ingests: Map<string, IngestStatus>,
    committedNow: boolean,
    nowMs: number,
    decisions: Decision[],
  ): boolean {
    const since = p.outageSinceMs ?? 0;
    const moved = committedNow || p.blobs.some((b) => (ingests.get(b.desc.digest)?.updatedAtMs ?? 0) > since);
    const unfinished = p.blobs.some((b) => b.state === 'waiting' || b.state === 'downloading');
    if (moved || !unfinished) {
      decisions.push({ pull: p.key, decision: 'alive after the containerd outage' });
      p.outageSinceMs = undefined;
      return false;
    }
    p.pollsSinceOutage++;
    if (p.pollsSinceOutage < RESUME_GRACE_POLLS) return false;
    this.fail(p, nowMs, decisions, `containerd was unreachable (restarted?) during the pull and nothing resumed its downloads`);
    return true;
  }

  private advanceBlob(
    p: TrackedPull,
    b: TrackedBlob,
    ingests: Map<string, IngestStatus>,
    presence: Map<string, BlobInfo | null>,
    nowMs: number,
    decisions: Decision[],
  ): void {
    if (b.state === 'done' || b.state === 'cached') return;
    const present = presence.get(b.desc.digest);
    const ingest = ingests.get(b.desc.digest);
    if (b.state === 'shared') {
      if (present) {
        b.downloaded = b.desc.size;
        return;
      }
      // The owner's download is what this pull waits for: its progress is this pull's progress.
      if (ingest) b.downloaded = Math.max(b.downloaded, Math.min(ingest.offset, b.desc.size));
      const owner = b.sharedWith ? this.pulls.get(b.sharedWith) : undefined;
      // The owner failed before the blob arrived: this pull downloads it now (containerd retries the locked ref).
      if (b.downloaded >= b.desc.size || (owner && owner.status !== 'failed')) return;
      decisions.push({
        pull: p.key,
        digest: b.desc.digest,
        decision: `no longer shared: pull ${b.sharedWith} ended without it, this pull downloads it`,
      });
      b.sharedWith = undefined;
      b.sharedWithDigest = undefined;
      b.state = 'waiting';
      b.downloaded = 0;
      return;
    }
    if (ingest) {
      if (!b.seenIngest) decisions.push({ pull: p.key, digest: b.desc.digest, decision: `downloading: ingest ${ingest.ref}` });
      b.state = 'downloading';
      b.seenIngest = true;
      b.vanishedPolls = 0;
      b.downloaded = Math.max(b.downloaded, Math.min(ingest.offset, b.desc.size));
      return;
    }
    if (present) {
      decisions.push({ pull: p.key, digest: b.desc.digest, decision: 'done: blob committed' });
      b.state = 'done';
      b.downloaded = b.desc.size;
      b.vanishedPolls = 0;
      this.downloadedBy.set(b.desc.digest, { key: p.key, digest: reportDigest(p), atMs: nowMs });
      return;
    }
    if (b.seenIngest && present === null) {
      b.vanishedPolls++;
      decisions.push({ pull: p.key, digest: b.desc.digest, decision: `ingest gone without a committed blob (${b.vanishedPolls}×)` });
    }
  }

  private fail(p: TrackedPull, nowMs: number, decisions: Decision[], why: string): void {
    const partial = p.blobs.filter((b) => b.state === 'downloading' || (b.seenIngest && b.state !== 'done'));
    const detail = partial.map((b) => `${short(b.desc.digest)} at ${b.downloaded} of ${b.desc.size} bytes`).join(', ');
    p.status = 'failed';
    p.finishedAtMs = nowMs;
    p.error = `pull aborted (network or registry error, or cancelled): ${why}${detail ? `; stopped with ${detail}` : ''}`;
    decisions.push({ pull: p.key, decision: `failed: ${p.error}` });
  }

  private forgetOld(nowMs: number): void {
    for (const [key, p] of this.pulls) {
      if (p.finishedAtMs !== undefined && nowMs - p.finishedAtMs > FINISHED_RETENTION_MS) this.pulls.delete(key);
    }
    for (const [digest, d] of this.downloadedBy) if (nowMs - d.atMs > DOWNLOAD_MEMORY_MS) this.downloadedBy.delete(digest);
    for (const [digest, atMs] of this.finishedTargets) if (nowMs - atMs > DOWNLOAD_MEMORY_MS) this.finishedTargets.delete(digest);
  }
}

/** On the node (or, shared, fully there): nothing more to download for this pull. */
function isSettled(b: TrackedBlob): boolean {
  return b.state === 'done' || b.state === 'cached' || (b.state === 'shared' && b.downloaded >= b.desc.size);
}

/** A layer this pull brought (or waited for) that containerd has not yet labelled as unpacked. */
function awaitsUnpack(b: TrackedBlob): boolean {
  return (b.state === 'done' || b.state === 'shared') && !b.unpacked && isLayerType(b.desc.mediaType);
}

function isLayerType(mediaType: string): boolean {
  return /\.layer\.|rootfs\.diff\.tar/.test(mediaType);
}

function ingestDigests(ingests: IngestStatus[]): Set<string> {
  const out = new Set<string>();
  for (const i of ingests) {
    const parsed = parseIngestRef(i.ref);
    if (parsed) out.add(parsed.digest);
  }
  return out;
}

function startOf(d: DiscoveredPull): number {
  return Math.min(d.manifest.createdAtMs, d.index?.createdAtMs ?? Number.POSITIVE_INFINITY);
}

const iso = (ms: number) => new Date(ms).toISOString();
const short = (digest: string) => digest.slice(0, 19);

/** The digest users know the image by: the index for multi-platform images, else the manifest. */
function reportDigest(p: TrackedPull): string {
  return p.indexDigest ?? p.manifestDigest;
}

export function toReportPull(p: TrackedPull): ReportPull {
  const layers: ReportLayer[] = p.blobs.map((b) => ({
    digest: b.desc.digest,
    mediaType: b.desc.mediaType,
    totalBytes: b.desc.size,
    // Bytes this pull downloaded: a cached (or shared) blob's bytes belong to no one / to its owner.
    downloadedBytes: b.state === 'cached' ? 0 : b.downloaded,
    totalKnown: true,
    state: b.state,
    ...(b.state === 'shared' && b.sharedWithDigest ? { sharedWith: b.sharedWithDigest } : {}),
  }));
  const out: ReportPull = {
    imageRef: p.imageName ?? p.repository ?? reportDigest(p),
    startedAt: iso(p.startedAtMs),
    totalKnown: true,
    manifestDigest: reportDigest(p),
    status: p.status,
    layers,
  };
  if (p.unpackStartedAtMs !== undefined && p.status !== 'failed') out.unpackStartedAt = iso(p.unpackStartedAtMs);
  if (p.status === 'unpacking' && p.unpackingLayer) out.unpackingLayer = p.unpackingLayer;
  if (p.error) out.error = p.error.length > MAX_ERROR_CHARS ? `${p.error.slice(0, MAX_ERROR_CHARS - 1)}…` : p.error;
  return out;
}
