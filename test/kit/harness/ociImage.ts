// OCI image blobs built in memory from random layers of known sizes: layers (tar+gzip), config,
// manifest and, for multi-platform images, an image index. Pure: no I/O; see ociLayout.ts/pushImage.ts.
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { seededBytes } from './seededBytes.js';
import { TAR_TRAILER_SIZE, tarArchive } from './tar.js';

export const MEDIA_TYPE = {
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  config: 'application/vnd.oci.image.config.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
} as const;

export interface LayerSpec {
  /** wanted size of the compressed blob in bytes; the built blob is within 1 KiB of it (never below 2 KiB) */
  size: number;
  /** same seed + size → identical blob (shared layers); default: random, so unique */
  seed?: string;
  /**
   * also this many empty files: a layer that is slow to unpack for its size, so containerd's
   * unpacking phase lasts long enough to watch. Such a layer is compressed (its headers compress
   * well), so its blob is much smaller than its tar and `size` is only the random file's size.
   */
  emptyFiles?: number;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface BuiltLayer extends Descriptor {
  /** sha256 of the uncompressed tar (the config's rootfs.diff_ids entry) */
  diffId: string;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface BuiltManifest {
  platform: Platform;
  manifest: Descriptor;
  config: Descriptor;
  layers: BuiltLayer[];
}

/** every blob of an image by digest, plus what its parts are */
export interface ImageBlobs {
  blobs: Map<string, Buffer>;
  /** the descriptor a tag points at: the manifest, or the index for multi-platform images */
  top: Descriptor;
  manifests: BuiltManifest[];
}

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

// gzip level 0 (stored deflate blocks): random data does not compress anyway, it is fast, and the
// output size is predictable: 18 bytes of gzip framing + 5 bytes per stored block of ≤ 64 KiB.
function gzipOverhead(size: number): number {
  return 18 + 5 * Math.ceil(size / 65535) + 5;
}

/** a layer blob whose compressed size is close to spec.size: one file of seeded random bytes */
export function buildLayer(spec: LayerSpec): { layer: BuiltLayer; blob: Buffer } {
  if (!Number.isInteger(spec.size) || spec.size <= 0 || spec.size > 1024 ** 3) {
    throw new Error(`layer size must be an integer between 1 and 1 GiB, got ${spec.size}`);
  }
  const seed = spec.seed ?? randomUUID();
  // Tar = 512-byte header + data padded to 512 + trailer; choose data so the whole is ≈ size.
  const empties = spec.emptyFiles ?? 0;
  const tarTarget = empties > 0 ? spec.size + 512 + TAR_TRAILER_SIZE : spec.size - gzipOverhead(spec.size);
  const dataSize = Math.max(1, Math.floor((tarTarget - 512 - TAR_TRAILER_SIZE) / 512) * 512);
  const fileName = `layer-${createHash('sha256').update(seed).digest('hex').slice(0, 16)}.bin`;
  const files = [{ name: fileName, data: seededBytes(seed, dataSize) }];
  // Files in the root directory: ustar needs no directory entries for them.
  for (let i = 0; i < empties; i++) files.push({ name: `e${i}`, data: Buffer.alloc(0) });
  const tar = tarArchive(files);
  const blob = gzipSync(tar, { level: empties > 0 ? 6 : 0 });
  return { layer: { mediaType: MEDIA_TYPE.layer, digest: sha256(blob), size: blob.length, diffId: sha256(tar) }, blob };
}

function jsonBlob(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** config + manifest over already built layers */
export function buildManifest(
  platform: Platform,
  layers: BuiltLayer[],
  label: string,
): { manifest: Descriptor; config: Descriptor; blobs: Map<string, Buffer> } {
  const configBlob = jsonBlob({
    created: '1970-01-01T00:00:00Z',
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    // The label makes each image's config (and so its manifest) unique even when layers are shared.
    config: { Labels: { 'dev.pulltrace.test.image': label } },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  });
  const config: Descriptor = { mediaType: MEDIA_TYPE.config, digest: sha256(configBlob), size: configBlob.length };
  const manifestBlob = jsonBlob({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.manifest,
    config,
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  });
  const manifest: Descriptor = { mediaType: MEDIA_TYPE.manifest, digest: sha256(manifestBlob), size: manifestBlob.length };
  return {
    manifest,
    config,
    blobs: new Map([
      [config.digest, configBlob],
      [manifest.digest, manifestBlob],
    ]),
  };
}

export function buildIndex(manifests: BuiltManifest[]): { index: Descriptor; blob: Buffer } {
  const blob = jsonBlob({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.index,
    manifests: manifests.map((m) => ({ ...m.manifest, platform: m.platform })),
  });
  return { index: { mediaType: MEDIA_TYPE.index, digest: sha256(blob), size: blob.length }, blob };
}

/** the platform containerd on this machine pulls by default (Node arch names → OCI names) */
export function localPlatform(): Platform {
  const arch: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ia32: '386',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
  };
  const architecture = arch[process.arch];
  if (!architecture) throw new Error(`no OCI architecture known for node arch ${process.arch}`);
  return { os: 'linux', architecture };
}

export interface ImageSpec {
  repository: string;
  tag: string;
  layers: LayerSpec[];
  /** multi-platform: one manifest per platform (the local one must be included) under an OCI index */
  platforms?: Array<{ os: string; architecture: string; variant?: string; layers?: LayerSpec[] }>;
}

const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^\w[\w.-]{0,127}$/;

/** throws a clear error for a spec that cannot be built; returns nothing */
export function checkImageSpec(spec: ImageSpec): void {
  if (!REPOSITORY.test(spec.repository)) throw new Error(`image spec: invalid repository "${spec.repository}"`);
  if (!TAG.test(spec.tag)) throw new Error(`image spec: invalid tag "${spec.tag}"`);
  const layerLists = [spec.layers, ...(spec.platforms ?? []).map((p) => p.layers ?? spec.layers)];
  for (const layers of layerLists) {
    if (layers.length === 0) throw new Error(`image spec ${spec.repository}:${spec.tag}: an image needs at least one layer`);
    for (const l of layers) {
      if (!Number.isInteger(l.size) || l.size <= 0 || l.size > 1024 ** 3) {
        throw new Error(`image spec ${spec.repository}:${spec.tag}: layer size must be an integer between 1 and 1 GiB, got ${l.size}`);
      }
    }
  }
  if (spec.platforms) {
    const local = localPlatform();
    const keys = spec.platforms.map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`);
    if (new Set(keys).size !== keys.length) throw new Error(`image spec: duplicate platform in ${keys.join(', ')}`);
    if (!spec.platforms.some((p) => p.os === local.os && p.architecture === local.architecture)) {
      throw new Error(`image spec: platforms (${keys.join(', ')}) must include the local platform ${local.os}/${local.architecture}`);
    }
  }
}

/** build every blob of an image in memory */
export function buildImageBlobs(spec: ImageSpec): ImageBlobs {
  checkImageSpec(spec);
  const label = `${spec.repository}:${spec.tag}`;
  const blobs = new Map<string, Buffer>();
  const platforms: Array<{ platform: Platform; layers: LayerSpec[] }> = spec.platforms
    ? spec.platforms.map((p) => ({
        platform: { os: p.os, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}) },
        layers: p.layers ?? spec.layers,
      }))
    : [{ platform: localPlatform(), layers: spec.layers }];
  const manifests: BuiltManifest[] = platforms.map(({ platform, layers: specs }) => {
    const layers = specs.map((s) => {
      const { layer, blob } = buildLayer(s);
      blobs.set(layer.digest, blob);
      return layer;
    });
    const m = buildManifest(platform, layers, label);
    for (const [d, b] of m.blobs) blobs.set(d, b);
    return { platform, manifest: m.manifest, config: m.config, layers };
  });
  if (!spec.platforms) return { blobs, top: manifests[0]!.manifest, manifests };
  const { index, blob } = buildIndex(manifests);
  blobs.set(index.digest, blob);
  return { blobs, top: index, manifests };
}
