// Which of an index's manifests this node pulls. containerd pulls the entry for its own platform
// (the agent runs on the same node, so the same os/architecture). containerd 2.x's transfer
// service (`ctr images pull`) also fetches every other platform's manifest and config, labelled
// with their children like the one being pulled: a layer common to several platforms is then
// named by several manifests, of which only the node's is being pulled.
import type { ImageIndex, IndexEntry, Platform } from './manifest.js';

/** Node's names (process.arch) → OCI architecture names, where they differ. */
const OCI_ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', ppc64: 'ppc64le' };

export function nodePlatform(arch: string = process.arch, os: string = process.platform): Platform {
  return { os, architecture: OCI_ARCH[arch] ?? arch };
}

/** Same os and architecture; the variant is not compared (arm64 entries say `v8` or nothing). */
export function platformMatches(entry: Platform | undefined, node: Platform): boolean {
  return entry !== undefined && entry.os === node.os && entry.architecture === node.architecture;
}

/** The index's entries for this node's platform (several when it lists variants). */
export function nodeEntries(index: ImageIndex, node: Platform): IndexEntry[] {
  return index.manifests.filter((m) => platformMatches(m.platform, node));
}

/**
 * The node's entries when `manifestDigest` is another platform's manifest of an index that has
 * entries for this node; undefined when it is the node's own (or the index does not say).
 */
export function otherPlatformOf(index: ImageIndex, manifestDigest: string, node: Platform): IndexEntry[] | undefined {
  const own = nodeEntries(index, node);
  if (own.length === 0 || own.some((m) => m.digest === manifestDigest)) return undefined;
  return index.manifests.some((m) => m.digest === manifestDigest) ? own : undefined;
}

const LAYER_LABEL_PREFIX = 'containerd.io/gc.ref.content.l.';

/**
 * True when the blobs being fetched (`wanted`) that a manifest names as layers are all named by
 * the node's manifest(s) too: nothing proves that this (other-platform) manifest is pulled.
 */
export function namesOnlyWhatNodeManifestNames(
  labels: Record<string, string>,
  nodeManifestLabels: Array<Record<string, string>>,
  wanted: string[],
): boolean {
  const layers = new Set(Object.entries(labels).flatMap(([k, v]) => (k.startsWith(LAYER_LABEL_PREFIX) ? [v] : [])));
  const nodeNames = new Set(nodeManifestLabels.flatMap((l) => Object.values(l)));
  return !wanted.some((d) => layers.has(d) && !nodeNames.has(d));
}
