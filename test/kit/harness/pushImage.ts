// Build an image (ociImage.ts), write it as an OCI layout and push it with skopeo, keeping digests.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BuiltLayer,
  buildImageBlobs,
  type Descriptor,
  type ImageBlobs,
  type ImageSpec,
  localPlatform,
  MEDIA_TYPE,
} from './ociImage.js';
import { runProcess } from './processes.js';
import { makeTempDir, removeDir } from './tempDir.js';

export interface BuiltImage {
  repository: string;
  tag: string;
  /** the manifest containerd pulls on this machine (for a multi-platform image: the local platform's) */
  manifestDigest: string;
  manifestSize: number;
  configDigest: string;
  configSize: number;
  layers: BuiltLayer[];
  /** sum of layers' compressed sizes */
  layerBytes: number;
  /** set for multi-platform images */
  indexDigest?: string;
  indexSize?: number;
  platforms?: Array<{
    os: string;
    architecture: string;
    variant?: string;
    manifestDigest: string;
    configDigest: string;
    layers: BuiltLayer[];
  }>;
}

/** write the blobs as an OCI image layout with `tag` naming the top descriptor */
export async function writeOciLayout(dir: string, image: ImageBlobs, tag: string): Promise<void> {
  const blobDir = join(dir, 'blobs', 'sha256');
  await mkdir(blobDir, { recursive: true });
  for (const [digest, blob] of image.blobs) await writeFile(join(blobDir, digest.slice('sha256:'.length)), blob);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const top: Descriptor & { annotations: Record<string, string> } = {
    ...image.top,
    annotations: { 'org.opencontainers.image.ref.name': tag },
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE.index, manifests: [top] }));
}

/** `<host>/<repository>:<tag>`: the reference to pull through `host` (registry or proxy) */
export function imageRef(host: string, image: { repository: string; tag: string }): string {
  return `${host}/${image.repository}:${image.tag}`;
}

/**
 * Build the image and push it to the registry at registryHost ("127.0.0.1:<port>", plain HTTP).
 * The pushed digests are checked against the computed ones (skopeo --preserve-digests would fail
 * rather than change them; the registry check makes sure).
 */
export async function buildAndPushImage(registryHost: string, spec: ImageSpec): Promise<BuiltImage> {
  const image = buildImageBlobs(spec);
  const dir = await makeTempDir('oci');
  try {
    await writeOciLayout(dir, image, spec.tag);
    const dest = `docker://${imageRef(registryHost, spec)}`;
    const r = await runProcess(
      'skopeo',
      ['--insecure-policy', 'copy', '--quiet', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${dir}:${spec.tag}`, dest],
      { name: 'skopeo copy', timeoutMs: 120_000 },
    );
    if (r.code !== 0) throw new Error(`skopeo copy to ${dest} failed (exit ${r.code}): ${r.stderr.trim()}`);
  } finally {
    await removeDir(dir);
  }
  const pushed = await registryDigest(registryHost, spec.repository, spec.tag);
  if (pushed !== image.top.digest) {
    throw new Error(`pushed ${spec.repository}:${spec.tag} has digest ${pushed}, expected ${image.top.digest}`);
  }
  return describe(spec, image);
}

async function registryDigest(host: string, repository: string, tag: string): Promise<string | null> {
  const res = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: `${MEDIA_TYPE.index}, ${MEDIA_TYPE.manifest}` },
  });
  if (res.status !== 200) throw new Error(`registry ${host} has no manifest for ${repository}:${tag} (HTTP ${res.status})`);
  return res.headers.get('docker-content-digest');
}

function describe(spec: ImageSpec, image: ImageBlobs): BuiltImage {
  const local = localPlatform();
  const pulled = image.manifests.find((m) => m.platform.os === local.os && m.platform.architecture === local.architecture)!;
  const built: BuiltImage = {
    repository: spec.repository,
    tag: spec.tag,
    manifestDigest: pulled.manifest.digest,
    manifestSize: pulled.manifest.size,
    configDigest: pulled.config.digest,
    configSize: pulled.config.size,
    layers: pulled.layers,
    layerBytes: pulled.layers.reduce((sum, l) => sum + l.size, 0),
  };
  if (image.top.mediaType === MEDIA_TYPE.index) {
    built.indexDigest = image.top.digest;
    built.indexSize = image.top.size;
    built.platforms = image.manifests.map((m) => ({
      ...m.platform,
      manifestDigest: m.manifest.digest,
      configDigest: m.config.digest,
      layers: m.layers,
    }));
  }
  return built;
}

/**
 * Like buildAndPushImage, but speaks the registry's HTTP API directly (POST an upload, PUT the
 * blob with its digest; PUT the manifest): an image of a thousand tiny layers is pushed in
 * seconds, where skopeo takes minutes. Single-platform images only.
 */
export async function buildAndPushImageOverHttp(registryHost: string, spec: ImageSpec): Promise<BuiltImage> {
  if (spec.platforms) throw new Error('buildAndPushImageOverHttp: single-platform images only');
  const image = buildImageBlobs(spec);
  const base = `http://${registryHost}/v2/${spec.repository}`;
  const pushBlob = async (digest: string, blob: Buffer) => {
    const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST' });
    await start.arrayBuffer();
    const location = start.headers.get('location');
    if (start.status !== 202 || !location) throw new Error(`registry ${registryHost}: upload start answered HTTP ${start.status}`);
    const url = new URL(location, `http://${registryHost}`);
    url.searchParams.set('digest', digest);
    const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(blob) });
    await put.arrayBuffer();
    if (put.status !== 201) throw new Error(`registry ${registryHost}: blob ${digest} upload answered HTTP ${put.status}`);
  };
  const pending = [...image.blobs].filter(([digest]) => digest !== image.top.digest);
  // Eight uploads at a time (a registry request is mostly waiting on its disk), still gentle on a loaded machine.
  const workers = Array.from({ length: 8 }, async () => {
    for (let next = pending.pop(); next; next = pending.pop()) await pushBlob(next[0], next[1]);
  });
  await Promise.all(workers);
  const manifest = image.blobs.get(image.top.digest)!;
  const res = await fetch(`${base}/manifests/${spec.tag}`, {
    method: 'PUT',
    headers: { 'content-type': image.top.mediaType },
    body: new Uint8Array(manifest),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`registry ${registryHost}: manifest PUT answered HTTP ${res.status}: ${text.slice(0, 300)}`);
  const pushed = await registryDigest(registryHost, spec.repository, spec.tag);
  if (pushed !== image.top.digest)
    throw new Error(`pushed ${spec.repository}:${spec.tag} has digest ${pushed}, expected ${image.top.digest}`);
  return describe(spec, image);
}
