// Finds the pull behind ingests no tracked pull accounts for, by asking containerd which manifest
// names the blob (containerd labels a manifest with its config and layers before fetching them).
// Manifest documents are immutable: read once, cached by digest.
import { BlobTooLargeError } from './containerd/client.js';
import type { BlobInfo, ImageRecord } from './containerd/types.js';
import { digestFilters, indexesNamingFilters, MAX_LAYER_LABELS, manifestsNamingFilters } from './resolver/filters.js';
import { distributionRepository } from './resolver/labels.js';
import { type ImageIndex, type ImageManifest, ManifestError, type Platform, parseManifestBlob } from './resolver/manifest.js';
import type { DiscoveredPull } from './resolver/nodePulls.js';
import { namesOnlyWhatNodeManifestNames, nodeEntries, nodePlatform, otherPlatformOf } from './resolver/platform.js';

/** The part of the containerd client discovery needs (a fake in tests). */
export interface ContentSource {
  listContent(filters: string[]): Promise<BlobInfo[]>;
  readBlob(digest: string, maxBytes: number): Promise<Buffer>;
}

const MAX_MANIFEST_BYTES = 4 << 20;
/** An ingest no manifest names (a `ctr content fetch`, another tool's writer) is looked up again this much later. */
const MISS_RETRY_MS = 10_000;
/** Digests per List call: each costs 129 label filters, evaluated by containerd against every blob. */
const DIGESTS_PER_QUERY = 16;
const MAX_CACHED_DOCS = 2_000;
/** An image record names a pull nobody saw only if its manifest was fetched this recently (else: a re-tag, an update). */
const MISSED_PULL_WINDOW_MS = 60_000;

export interface DiscoveryResult {
  found: DiscoveredPull[];
  /** human-readable resolution steps, logged at debug */
  notes: string[];
}

export class PullDiscovery {
  private readonly docs = new Map<string, ImageManifest | ImageIndex>();
  private readonly misses = new Map<string, number>();

  /** `platform`: the node's (containerd pulls the index entry for it); the agent's own by default. */
  constructor(
    private readonly content: ContentSource,
    private readonly platform: Platform = nodePlatform(),
  ) {}

  /**
   * Resolves blob digests to new pulls; `isTracking(manifest)` skips manifests already tracked.
   * `maxLayers` bounds the layer positions searched (every position for unknown blobs; fewer when
   * looking again for later pulls sharing an attributed blob).
   */
  async discover(
    digests: string[],
    nowMs: number,
    isTracking: (manifestDigest: string) => boolean,
    maxLayers = MAX_LAYER_LABELS,
  ): Promise<DiscoveryResult> {
    const notes: string[] = [];
    const wanted = digests.filter((d) => (this.misses.get(d) ?? 0) <= nowMs);
    if (wanted.length === 0) return { found: [], notes };

    const manifests = new Map<string, BlobInfo>();
    for (let i = 0; i < wanted.length; i += DIGESTS_PER_QUERY) {
      const batch = wanted.slice(i, i + DIGESTS_PER_QUERY);
      for (const m of await this.content.listContent(manifestsNamingFilters(batch, maxLayers))) manifests.set(m.digest, m);
    }
    const named = new Set<string>();
    for (const m of manifests.values()) for (const v of Object.values(m.labels)) named.add(v);
    // A narrower search (fewer layer positions) proves nothing about a miss.
    const complete = maxLayers >= MAX_LAYER_LABELS;
    for (const d of wanted) {
      if (named.has(d)) {
        this.misses.delete(d);
      } else if (complete) {
        this.misses.set(d, nowMs + MISS_RETRY_MS);
        notes.push(`ingest of ${d}: no manifest in the content store names it; not reported (retry in ${MISS_RETRY_MS / 1000}s)`);
      }
    }

    const found: DiscoveredPull[] = [];
    for (const m of manifests.values()) {
      if (isTracking(m.digest)) continue;
      let doc: ImageManifest | ImageIndex;
      try {
        doc = await this.readDoc(m.digest);
      } catch (err) {
        // One unreadable manifest must not stop the tracking of every other pull: set its blobs aside.
        if (!(err instanceof ManifestError)) throw err;
        for (const d of wanted) if (Object.values(m.labels).includes(d)) this.misses.set(d, nowMs + MISS_RETRY_MS);
        notes.push(`manifest ${m.digest} skipped: ${err.message}`);
        continue;
      }
      if (doc.kind !== 'manifest') continue;
      const indexes = await this.content.listContent(indexesNamingFilters(m.digest));
      // Several indexes can name one manifest (re-tagged images); the newest is the one being pulled.
      const index = indexes.sort((a, b) => b.createdAtMs - a.createdAtMs)[0];
      const sibling = index ? await this.otherPlatformSibling(m, index, manifests, wanted) : undefined;
      if (sibling) {
        notes.push(sibling);
        continue;
      }
      const blobs = new Map<string, BlobInfo | null>();
      const children = [doc.config, ...doc.layers].map((d) => d.digest);
      for (const d of children) blobs.set(d, null);
      for (const info of await this.content.listContent(digestFilters(children))) blobs.set(info.digest, info);
      const repository = distributionRepository(m.labels) ?? (index ? distributionRepository(index.labels) : undefined);
      notes.push(
        `manifest ${m.digest} names ${wanted.filter((d) => Object.values(m.labels).includes(d)).join(', ')}${index ? `; index ${index.digest} names the manifest` : ''}; repository ${repository ?? 'unknown (no distribution-source label)'}`,
      );
      found.push({ manifest: m, doc, index, repository, blobs });
    }
    this.forgetOldMisses(nowMs);
    return { found, notes };
  }

  /**
   * A pull whose every download started and ended between two polls leaves only its image record.
   * Resolves such a record to its pull (then reported as completed), unless it is known (`knows`),
   * not recent, or not fetched from a registry (an import or a tag has no distribution-source label).
   */
  async discoverFromImage(
    record: ImageRecord,
    nowMs: number,
    knows: (digest: string) => boolean,
  ): Promise<{ found?: DiscoveredPull; note: string }> {
    const why = (note: string) => ({ note: `image record ${record.name}: ${note}` });
    if (!record.targetDigest || knows(record.targetDigest)) return why('its pull is already tracked');
    const top = (await this.content.listContent(digestFilters([record.targetDigest])))[0];
    if (!top) return why(`target ${record.targetDigest} is not in the content store`);
    let manifest = top;
    let index: BlobInfo | undefined;
    let topDoc: ImageManifest | ImageIndex;
    try {
      topDoc = await this.readDoc(top.digest);
    } catch (err) {
      if (err instanceof ManifestError) return why(`target skipped: ${err.message}`);
      throw err;
    }
    if (topDoc.kind === 'index') {
      index = top;
      // Only the local platform's manifest was fetched: the one present (the newest if several).
      const present = await this.content.listContent(digestFilters(topDoc.manifests.map((m) => m.digest)));
      // containerd 2.x's transfer service fetches every platform's manifest: the node's is the one pulled.
      const own = new Set(nodeEntries(topDoc, this.platform).map((e) => e.digest));
      const nodes = present.filter((p) => own.has(p.digest));
      const newest = (nodes.length > 0 ? nodes : present).sort((a, b) => b.createdAtMs - a.createdAtMs)[0];
      if (!newest) return why('no platform manifest of its index is in the content store');
      manifest = newest;
    }
    if (knows(manifest.digest)) return why('its pull is already tracked');
    if (nowMs - manifest.createdAtMs > MISSED_PULL_WINDOW_MS) return why('manifest fetched earlier: a re-tag or update, not a new pull');
    const repository = distributionRepository(manifest.labels) ?? (index ? distributionRepository(index.labels) : undefined);
    if (!repository) return why('not fetched from a registry (no distribution-source label): an import or a tag');
    const doc = index
      ? await this.readDoc(manifest.digest).catch((err: Error) => (err instanceof ManifestError ? undefined : Promise.reject(err)))
      : topDoc;
    if (!doc) return why(`${manifest.digest} is not a readable manifest`);
    if (doc.kind !== 'manifest') return why(`${manifest.digest} is not an image manifest`);
    const blobs = new Map<string, BlobInfo | null>();
    const children = [doc.config, ...doc.layers].map((d) => d.digest);
    for (const d of children) blobs.set(d, null);
    for (const info of await this.content.listContent(digestFilters(children))) blobs.set(info.digest, info);
    return {
      found: { manifest, doc, index, repository, blobs },
      note: `image record ${record.name}: pull finished between two polls (manifest ${manifest.digest}); reported as completed`,
    };
  }

  /**
   * Why `m` is not a pull, when it is another platform's manifest of an index that has this node's
   * platform and names no layer being fetched that the node's manifest does not name too:
   * containerd 2.x's transfer service fetches (and labels) every platform's manifest and config,
   * so a layer common to platforms, or another platform's config, names it too. A layer only it
   * names proves it is pulled (`--platform`, `--all-platforms`).
   */
  private async otherPlatformSibling(
    m: BlobInfo,
    index: BlobInfo,
    candidates: Map<string, BlobInfo>,
    wanted: string[],
  ): Promise<string | undefined> {
    let doc: ImageManifest | ImageIndex;
    try {
      doc = await this.readDoc(index.digest);
    } catch (err) {
      if (err instanceof ManifestError) return undefined;
      throw err;
    }
    if (doc.kind !== 'index') return undefined;
    const own = otherPlatformOf(doc, m.digest, this.platform);
    if (!own) return undefined;
    const ownLabels = own.map((e) => candidates.get(e.digest)?.labels ?? {});
    if (!namesOnlyWhatNodeManifestNames(m.labels, ownLabels, wanted)) return undefined;
    const entry = doc.manifests.find((e) => e.digest === m.digest)?.platform;
    const platform = entry ? `${entry.os}/${entry.architecture}` : 'unknown-platform';
    return `manifest ${m.digest} is index ${index.digest}'s ${platform} entry, not this node's (${this.platform.os}/${this.platform.architecture}: ${own.map((e) => e.digest).join(', ')}): fetched with the index, not pulled`;
  }

  private async readDoc(digest: string): Promise<ImageManifest | ImageIndex> {
    const cached = this.docs.get(digest);
    if (cached) return cached;
    // An oversized "manifest" is set aside like an unparsable one, never a reason to stop polling.
    const data = await this.content.readBlob(digest, MAX_MANIFEST_BYTES).catch((err: Error) => {
      throw err instanceof BlobTooLargeError ? new ManifestError(err.message) : err;
    });
    const doc = parseManifestBlob(data, digest);
    if (this.docs.size >= MAX_CACHED_DOCS) this.docs.delete(this.docs.keys().next().value as string);
    this.docs.set(digest, doc);
    return doc;
  }

  private forgetOldMisses(nowMs: number): void {
    for (const [d, retryAt] of this.misses) if (retryAt + 10 * MISS_RETRY_MS < nowMs) this.misses.delete(d);
  }
}
