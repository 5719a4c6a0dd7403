// One poll of containerd: active ingests → (discovery of new pulls) → presence of unsettled blobs and
// image records → the node's pulls (NodePulls) next state. Only digests not yet settled are asked about, so the
// cost follows the number of pulls in progress, not the size of the content store.
import type { Logger } from '../log/index.js';
import type { BlobInfo, ImageRecord, IngestStatus } from './containerd/types.js';
import type { ContentSource } from './discovery.js';
import { PullDiscovery } from './discovery.js';
import { digestFilters, imageTargetFilters, REDISCOVERY_LAYER_LABELS } from './resolver/filters.js';
import { parseIngestRef } from './resolver/ingestRef.js';
import type { NodePulls } from './resolver/nodePulls.js';

/** The part of the containerd client the poller needs (a fake in tests). */
export interface ContainerdReader extends ContentSource {
  listIngests(): Promise<IngestStatus[]>;
  listImages(filters: string[]): Promise<ImageRecord[]>;
  getImage(name: string): Promise<ImageRecord | undefined>;
}

/**
 * Every this many polls, ingests already attributed are looked up again: a second pull may share
 * all its missing blobs with the first and show no ingest of its own. containerd 2.x's unpacker
 * (transfer service and CRI) holds a second pull on a layer another pull downloads with no ingest
 * at all, its later layers included, until that layer is downloaded and unpacked: every poll, so
 * the waiting pull is shown (its layer `shared`) while the download runs, not once it is over.
 * The search covers a few layer positions only (REDISCOVERY_LAYER_LABELS) and active layer ingests.
 */
const REDISCOVER_EVERY_POLLS = 1;
const DIGESTS_PER_QUERY = 200;

export class Poller {
  private readonly discovery: PullDiscovery;
  private polls = 0;

  constructor(
    private readonly containerd: ContainerdReader,
    private readonly nodePulls: NodePulls,
    private readonly logger: Logger,
  ) {
    this.discovery = new PullDiscovery(containerd);
  }

  /** `newImages`: names of image records created or updated since the last poll (from containerd's events). */
  async pollOnce(nowMs: number, newImages: string[] = []): Promise<void> {
    this.polls++;
    const ingests = await this.containerd.listIngests();
    const isTracking = (m: string) => this.nodePulls.isTracking(m);
    const unknown = this.nodePulls.unknownIngestDigests(ingests);
    const { found, notes } = unknown.length > 0 ? await this.discovery.discover(unknown, nowMs, isTracking) : { found: [], notes: [] };
    if (this.polls % REDISCOVER_EVERY_POLLS === 0) {
      const known = layerDigests(ingests).filter((d) => !unknown.includes(d));
      if (known.length > 0) {
        const again = await this.discovery.discover(known, nowMs, isTracking, REDISCOVERY_LAYER_LABELS);
        found.push(...again.found.filter((f) => !found.some((x) => x.manifest.digest === f.manifest.digest)));
        notes.push(...again.notes);
      }
    }

    for (const name of newImages) {
      const record = await this.containerd.getImage(name);
      if (!record) continue;
      const knows = (d: string) => this.nodePulls.knowsTarget(d) || found.some((f) => f.manifest.digest === d || f.index?.digest === d);
      const missed = await this.discovery.discoverFromImage(record, nowMs, knows);
      notes.push(missed.note);
      if (missed.found) found.push(missed.found);
    }

    for (const note of notes) this.logger.debug({ resolution: note }, 'resolver');

    const blobs = new Map<string, BlobInfo | null>();
    const check = this.nodePulls.digestsToCheck(ingests);
    for (const d of check) blobs.set(d, null);
    for (const info of await this.listByChunks(check, digestFilters)) blobs.set(info.digest, info);
    const targets = [
      ...this.nodePulls.imageTargets(ingests),
      ...found.flatMap((f) => [f.manifest.digest, ...(f.index ? [f.index.digest] : [])]),
    ];
    const images = targets.length > 0 ? await this.containerd.listImages(imageTargetFilters(targets)) : [];

    const decisions = this.nodePulls.apply({ nowMs, ingests, discovered: found, blobs, images });
    if (this.logger.isLevelEnabled('debug')) {
      for (const d of decisions) this.logger.debug({ pull: d.pull, digest: d.digest, resolution: d.decision }, 'resolver');
    }
  }

  // An empty filter list means "everything" to containerd: never send one.
  private async listByChunks(digests: string[], filters: (d: string[]) => string[]): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    for (let i = 0; i < digests.length; i += DIGESTS_PER_QUERY) {
      out.push(...(await this.containerd.listContent(filters(digests.slice(i, i + DIGESTS_PER_QUERY)))));
    }
    return out;
  }
}

function layerDigests(ingests: IngestStatus[]): string[] {
  const out = new Set<string>();
  for (const i of ingests) {
    const p = parseIngestRef(i.ref);
    if (p?.kind === 'layer') out.add(p.digest);
  }
  return [...out];
}
