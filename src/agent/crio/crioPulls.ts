// The pulls of a CRI-O node, from what containers/image leaves on disk (docs/agent.md, "CRI-O
// nodes"). Pure: each poll hands in what was seen (pull folders and their file sizes, new
// blob-info cache rows, the storage's images when they changed, hashes asked for earlier) and gets
// the report entries back, plus the files worth hashing. No I/O here.
//
// One temporary folder is one pull. A file's size is the bytes received for one blob. Which blob:
// the cache rows (written as each blob's headers arrive) in time order, provisional until the
// finished file's sha256 proves it. The pull ends when its folder goes: completed when an image
// that is its own lands in storage (its stored manifest then gives exact layers and sizes), failed
// when none does within LAND_GRACE_MS.
import type { ReportLayer, ReportPull } from '../../model/index.js';
import { type BlobLocation, isRepositoryOf } from './blobLocation.js';
import type { ManifestLayer, StoredImage, StoredLayers } from './storageJson.js';

/** The folder and images.json change in the same second; a poll can fall in between. */
export const LAND_GRACE_MS = 3_000;
/** A row written this long before the folder was first seen can still be its first blob's. */
const ROW_SLACK_MS = 2_000;
/** A finished pull's final entry is sent until a report carrying it was delivered, at most this long. */
const FINAL_KEEP_MS = 60_000;

export interface FolderObservation {
  /** the folder's name in the temporary dir */
  name: string;
  /** its numbered blob files and their sizes */
  files: Array<{ name: string; size: number }>;
}

/** An image in storage with the layers of its stored manifest (read by the caller for new images). */
export interface LandedImage extends StoredImage {
  layers: ManifestLayer[];
}

export interface CrioObservation {
  nowMs: number;
  folders: FolderObservation[];
  /** cache rows written since the last poll */
  locations: BlobLocation[];
  /** every image in storage, when images.json changed since the last poll; undefined: unchanged */
  images?: LandedImage[];
  /** storage's layers, when layers.json changed; undefined: unchanged */
  layers?: StoredLayers;
  /** results of hashes asked for: hashKey() → sha256 digest */
  hashes?: Map<string, string>;
}

export interface HashRequest {
  folder: string;
  file: string;
  size: number;
}

export const hashKey = (h: HashRequest) => `${h.folder}/${h.file}@${h.size}`;

interface BlobFile {
  size: number;
  /** size at the previous poll: a file that did not grow is worth hashing (once per size) */
  previousSize: number;
  hashedAtSize?: number;
  /** proven by its hash */
  digest?: string;
}

interface FolderPull {
  folder: string;
  startedAtMs: number;
  repository?: string;
  files: Map<string, BlobFile>;
  /** cache rows attributed to this pull, in time order */
  rows: BlobLocation[];
  /** image signatures in storage when the pull began: an image landing is one not among them */
  imagesBefore: Set<string>;
  /** layers in storage when the pull began: those of its image are `cached` */
  layersBefore: Set<string>;
  goneAtMs?: number;
  status: 'pulling' | 'unpacking' | 'completed' | 'failed';
  finishedAtMs?: number;
  image?: LandedImage;
  finalDelivered?: boolean;
}

export interface CrioPollResult {
  /** files to hash before the next poll (each once per size) */
  toHash: HashRequest[];
}

const signature = (i: StoredImage) => `${i.id}|${i.digest}|${i.names.join(',')}`;

export class CrioPulls {
  private readonly pulls = new Map<string, FolderPull>();
  private images: LandedImage[] = [];
  private layers: StoredLayers = { complete: new Set(), incomplete: new Set() };

  /** storage's images and layers when the agent starts (pulls in progress then are still shown) */
  constructor(start: { images?: LandedImage[]; layers?: StoredLayers } = {}) {
    if (start.images) this.images = start.images;
    if (start.layers) this.layers = start.layers;
  }

  poll(o: CrioObservation): CrioPollResult {
    if (o.images) this.images = o.images;
    if (o.layers) this.layers = o.layers;
    const present = new Set(o.folders.map((f) => f.name));
    const before = new Set(this.images.map(signature));
    for (const f of o.folders) {
      if (this.pulls.has(f.name)) continue;
      this.pulls.set(f.name, {
        folder: f.name,
        startedAtMs: o.nowMs,
        files: new Map(),
        rows: [],
        imagesBefore: before,
        layersBefore: this.layers.complete,
        status: 'pulling',
      });
    }
    this.attributeRows(o.locations);
    const toHash: HashRequest[] = [];
    for (const f of o.folders) {
      const p = this.pulls.get(f.name) as FolderPull;
      this.observeFiles(p, f, o.hashes, toHash);
    }
    for (const p of this.pulls.values()) {
      if (p.status === 'completed' || p.status === 'failed') {
        if (p.finalDelivered || o.nowMs - (p.finishedAtMs ?? o.nowMs) > FINAL_KEEP_MS) this.pulls.delete(p.folder);
        continue;
      }
      if (present.has(p.folder)) {
        p.status = this.isCommitting(p) ? 'unpacking' : 'pulling';
        continue;
      }
      p.goneAtMs ??= o.nowMs;
      const landed = this.landedImage(p);
      if (landed) {
        p.status = 'completed';
        p.image = landed;
        p.finishedAtMs = o.nowMs;
      } else if (o.nowMs - p.goneAtMs >= LAND_GRACE_MS) {
        p.status = 'failed';
        p.finishedAtMs = o.nowMs;
      }
    }
    return { toHash };
  }

  /** The report entries: one per pull folder seen, in the order they appeared. */
  report(tmpDir: string): ReportPull[] {
    const out: ReportPull[] = [];
    for (const p of this.pulls.values()) {
      if (p.finalDelivered) continue;
      if (p.files.size === 0 && p.rows.length === 0 && p.status !== 'failed') continue;
      out.push(toReportPull(p, tmpDir));
    }
    return out;
  }

  /** The server acknowledged a report: the final entries it carried need not be sent again. */
  delivered(pulls: ReportPull[]): void {
    for (const r of pulls) {
      if (r.status !== 'completed' && r.status !== 'failed') continue;
      const p = r.pullKey ? this.pulls.get(folderOfKey(r.pullKey)) : undefined;
      if (p && p.status === r.status) p.finalDelivered = true;
    }
  }

  private isCommitting(p: FolderPull): boolean {
    if (this.layers.incomplete.size === 0) return false;
    return pullDigests(p).some((d) => this.layers.incomplete.has(d));
  }

  /**
   * Each new row goes to the pull of its repository that started before it, else to the latest
   * pull started before it that has no repository yet, else to the latest one started before it.
   */
  private attributeRows(rows: BlobLocation[]): void {
    const active = [...this.pulls.values()].filter((p) => p.status === 'pulling' || p.status === 'unpacking');
    for (const row of [...rows].sort((a, b) => a.timeMs - b.timeMs)) {
      const candidates = active.filter((p) => p.goneAtMs === undefined && row.timeMs >= p.startedAtMs - ROW_SLACK_MS);
      if (candidates.length === 0) continue;
      const latest = (ps: FolderPull[]) =>
        ps.reduce<FolderPull | undefined>((a, b) => (!a || b.startedAtMs >= a.startedAtMs ? b : a), undefined);
      const p =
        latest(candidates.filter((c) => c.repository === row.repository)) ??
        latest(candidates.filter((c) => c.repository === undefined)) ??
        latest(candidates);
      if (!p) continue;
      p.repository ??= row.repository;
      if (!p.rows.some((r) => r.digest === row.digest)) p.rows.push(row);
    }
  }

  private observeFiles(p: FolderPull, f: FolderObservation, hashes: Map<string, string> | undefined, toHash: HashRequest[]): void {
    const known = new Set(p.rows.map((r) => r.digest));
    for (const { name, size } of f.files) {
      let file = p.files.get(name);
      if (!file) {
        file = { size, previousSize: -1 };
        p.files.set(name, file);
      } else {
        file.previousSize = file.size;
        // A file never shrinks; a smaller size is a stat raced with a rewrite: keep what was seen.
        file.size = Math.max(file.size, size);
      }
      if (file.digest) continue;
      const request = { folder: p.folder, file: name, size: file.size };
      const hashed = hashes?.get(hashKey(request));
      if (hashed !== undefined) {
        file.hashedAtSize = file.size;
        if (known.has(hashed)) file.digest = hashed;
        continue;
      }
      if (file.size > 0 && file.size === file.previousSize && file.hashedAtSize !== file.size && known.size > 0) toHash.push(request);
    }
  }

  private landedImage(p: FolderPull): LandedImage | undefined {
    const digests = new Set(pullDigests(p));
    // An image another pull already ended with is not this one's (two pulls may share layers).
    const claimed = new Set([...this.pulls.values()].flatMap((o) => (o !== p && o.image ? [signature(o.image)] : [])));
    const fresh = this.images.filter((i) => !p.imagesBefore.has(signature(i)) && !claimed.has(signature(i)));
    // Its repository names it best; else the image with most of its blobs; without cache rows (a
    // boltdb cache, before CRI-O 1.29) the sizes still tell: a finished file's size is its blob's.
    const byName = p.repository ? fresh.find((i) => i.names.some((n) => isRepositoryOf(p.repository as string, n))) : undefined;
    if (byName) return byName;
    const overlap = (i: LandedImage) => i.layers.filter((l) => digests.has(l.digest)).length;
    const byDigests = fresh.filter((i) => overlap(i) > 0).sort((a, b) => overlap(b) - overlap(a))[0];
    if (byDigests) return byDigests;
    const sizes = new Set([...p.files.values()].map((f) => f.size));
    return fresh.find((i) => i.layers.some((l) => !p.layersBefore.has(l.digest) && sizes.has(l.size)));
  }
}

const KEY_PREFIX = 'crio:';
const folderOfKey = (key: string) => key.slice(KEY_PREFIX.length);

/** Digests this pull downloads: proven ones and those of its cache rows. */
function pullDigests(p: FolderPull): string[] {
  const out = new Set(p.rows.map((r) => r.digest));
  for (const f of p.files.values()) if (f.digest) out.add(f.digest);
  return [...out];
}

/**
 * Files in number order, each named by its proven digest, else by the next of the pull's cache
 * rows not proven by another file (provisional), else by its path (a blob with no row: the config).
 * Rows left over are blobs whose headers came and whose body has not: waiting.
 */
export function attributeFiles(p: Pick<FolderPull, 'folder' | 'files' | 'rows'>): ReportLayer[] {
  const proven = new Set([...p.files.values()].flatMap((f) => (f.digest ? [f.digest] : [])));
  const free = p.rows.map((r) => r.digest).filter((d) => !proven.has(d));
  const layers: ReportLayer[] = [];
  const names = [...p.files.keys()].sort((a, b) => Number(a) - Number(b));
  for (const name of names) {
    const f = p.files.get(name) as BlobFile;
    if (f.digest) {
      layers.push({ digest: f.digest, totalBytes: f.size, downloadedBytes: f.size, totalKnown: true, state: 'done' });
      continue;
    }
    const guess = free.shift();
    layers.push({
      digest: guess ?? `${p.folder}/${name}`,
      totalBytes: f.size,
      downloadedBytes: f.size,
      totalKnown: false,
      state: 'downloading',
      digestProvisional: true,
    });
  }
  for (const d of free) layers.push({ digest: d, totalBytes: 0, downloadedBytes: 0, totalKnown: false, state: 'waiting' });
  return layers;
}

function toReportPull(p: FolderPull, tmpDir: string): ReportPull {
  const base: ReportPull = {
    pullKey: `${KEY_PREFIX}${p.folder}`,
    imageRef: p.repository ?? '',
    startedAt: new Date(p.startedAtMs).toISOString(),
    status: p.status,
    totalKnown: false,
    layers: [],
  };
  if (p.status === 'completed' && p.image) {
    const before = p.layersBefore;
    const name = p.image.names.find((n) => p.repository && isRepositoryOf(p.repository, n)) ?? p.image.names[0];
    return {
      ...base,
      imageRef: name ?? p.repository ?? p.image.digest,
      ...(p.image.digest ? { manifestDigest: p.image.digest } : {}),
      totalKnown: true,
      // Layers in storage before the pull began got no file: they were cached.
      layers: p.image.layers.map((l) => {
        const got = !before.has(l.digest);
        return {
          digest: l.digest,
          ...(l.mediaType ? { mediaType: l.mediaType } : {}),
          totalBytes: l.size,
          downloadedBytes: got ? l.size : 0,
          totalKnown: true,
          state: got ? 'done' : 'cached',
        };
      }),
    };
  }
  const layers = attributeFiles(p);
  if (p.status === 'failed') {
    const folder = `${tmpDir.replace(/\/$/, '')}/${p.folder}`;
    return {
      ...base,
      layers,
      error: `the pull's temporary folder ${folder} was removed without an image in storage (kubelet's "Failed to pull image" event names the same folder and says why)`,
    };
  }
  return { ...base, layers };
}
