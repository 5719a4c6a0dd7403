// Docker image reference rules (distribution/reference: ParseNormalizedNamed + ParseDockerRef),
// the same rules kubelet and containerd's CRI plugin apply, so pod specs, kubelet events and
// containerd image names can be compared. See runtime-facts.md §3.

/** A parsed, normalized reference. `tag` is kept even when a digest is present (for matching). */
export interface ImageRef {
  /** registry host, with port if written (`docker.io`, `localhost:5000`, `[fc00::1]:5000`) */
  domain: string;
  /** repository path (`library/nginx`) */
  path: string;
  /** tag as written; undefined when none was written */
  tag?: string;
  /** `sha256:<hex>` when written */
  digest?: string;
}

export class ImageRefError extends Error {
  override name = 'ImageRefError';
}

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const HEX_BY_ALGORITHM: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const BARE_ID = /^[a-f0-9]{64}$/;
const NAME_MAX = 255;

const DOCKER_HUB = 'docker.io';

/** Parses and normalizes a reference; throws ImageRefError naming what is wrong. */
export function parseImageRef(ref: string): ImageRef {
  if (ref === '') throw new ImageRefError('invalid reference format: empty image reference');
  if (BARE_ID.test(ref)) throw new ImageRefError(`invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`);

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    checkDigest(digest, ref);
  }

  // The tag is after the last ':' that comes after the last '/' (a ':' before it is a port).
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ImageRefError(`invalid reference format: bad tag "${tag}" in "${ref}"`);
  }

  const { domain, path } = splitDomain(rest);
  if (!DOMAIN.test(domain)) throw new ImageRefError(`invalid reference format: bad registry host "${domain}" in "${ref}"`);
  if (path.toLowerCase() !== path) throw new ImageRefError(`invalid reference format: repository name (${path}) must be lowercase`);
  if (!PATH.test(path)) throw new ImageRefError(`invalid reference format: bad repository path "${path}" in "${ref}"`);
  if (domain.length + 1 + path.length > NAME_MAX) {
    throw new ImageRefError(`repository name must not be more than ${NAME_MAX} characters: "${ref}"`);
  }
  const parsed: ImageRef = { domain, path };
  if (tag !== undefined) parsed.tag = tag;
  if (digest !== undefined) parsed.digest = digest;
  return parsed;
}

function checkDigest(digest: string, ref: string): void {
  if (!DIGEST.test(digest)) throw new ImageRefError(`invalid reference format: bad digest "${digest}" in "${ref}"`);
  const [algorithm, hex] = digest.split(':') as [string, string];
  const want = HEX_BY_ALGORITHM[algorithm];
  if (want === undefined) throw new ImageRefError(`unsupported digest algorithm "${algorithm}" in "${ref}"`);
  if (hex.length !== want || hex !== hex.toLowerCase()) {
    throw new ImageRefError(`invalid checksum digest format: ${algorithm} needs ${want} lowercase hex digits in "${ref}"`);
  }
}

// The first component is a registry only if it looks like a host: `localhost`, has a '.' or
// ':', or has an uppercase letter; otherwise the name is a Docker Hub path.
function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  const first = name.slice(0, slash);
  let domain: string;
  let path: string;
  if (slash < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DOCKER_HUB;
    path = name;
  } else {
    domain = first;
    path = name.slice(slash + 1);
  }
  if (domain === 'index.docker.io') domain = DOCKER_HUB;
  if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return { domain, path };
}

/** `docker.io/library/nginx:1.27`: `:latest` added when neither tag nor digest; with a digest the tag is dropped. */
export function formatDockerRef(ref: ImageRef): string {
  const repo = `${ref.domain}/${ref.path}`;
  if (ref.digest) return `${repo}@${ref.digest}`;
  return `${repo}:${ref.tag ?? 'latest'}`;
}

/** containerd's/kubelet's normalized form (ParseDockerRef); throws ImageRefError on invalid input. */
export function normalizeImageRef(ref: string): string {
  return formatDockerRef(parseImageRef(ref));
}

/** Like normalizeImageRef, but undefined for an invalid reference. */
export function tryNormalizeImageRef(ref: string): string | undefined {
  const parsed = tryParseImageRef(ref);
  return parsed ? formatDockerRef(parsed) : undefined;
}

export function tryParseImageRef(ref: string): ImageRef | undefined {
  try {
    return parseImageRef(ref);
  } catch (err) {
    if (err instanceof ImageRefError) return undefined;
    throw err;
  }
}

/** registry/path without tag or digest (`docker.io/library/nginx`); throws ImageRefError on invalid input. */
export function repositoryOf(ref: string): string {
  const parsed = parseImageRef(ref);
  return `${parsed.domain}/${parsed.path}`;
}

export interface RefMatchOptions {
  /**
   * Tolerate a registry port written on one side only: containerd's distribution-source label
   * drops the port, so a pull may be named `127.0.0.1/repo` while kubelet says `127.0.0.1:5000/repo:tag`.
   */
  portless?: boolean;
  /**
   * `b` written without tag or digest names the whole repository (a pull known only as
   * registry/repository) instead of meaning `:latest`.
   */
  bAnyTag?: boolean;
}

/**
 * Same repository and compatible version: two digests must be equal, else two tags must be equal
 * (a missing tag means `latest`); a tag on one side and only a digest on the other cannot be
 * told apart without the registry, so they match. Invalid references never match.
 */
export function imageRefsMatch(a: string, b: string, options: RefMatchOptions = {}): boolean {
  const pa = tryParseImageRef(a);
  const pb = tryParseImageRef(b);
  if (!pa || !pb) return false;
  return parsedRefsMatch(pa, pb, options);
}

export function parsedRefsMatch(a: ImageRef, b: ImageRef, options: RefMatchOptions = {}): boolean {
  if (a.path !== b.path) return false;
  if (!(a.domain === b.domain || (options.portless && domainsMatchIgnoringPort(a.domain, b.domain)))) return false;
  if (a.digest && b.digest) return a.digest === b.digest;
  if (options.bAnyTag && b.tag === undefined && b.digest === undefined) return true;
  const tagA = a.tag ?? (a.digest ? undefined : 'latest');
  const tagB = b.tag ?? (b.digest ? undefined : 'latest');
  if (tagA !== undefined && tagB !== undefined) return tagA === tagB;
  return true;
}

/** Same registry path, where a host written without a port matches that host with any port. */
export function repositoryMatchesIgnoringPort(a: string, b: string): boolean {
  const pa = tryParseImageRef(a);
  const pb = tryParseImageRef(b);
  if (!pa || !pb) return false;
  return pa.path === pb.path && domainsMatchIgnoringPort(pa.domain, pb.domain);
}

function domainsMatchIgnoringPort(a: string, b: string): boolean {
  if (a === b) return true;
  const [hostA, portA] = splitPort(a);
  const [hostB, portB] = splitPort(b);
  if (hostA !== hostB) return false;
  return portA === undefined || portB === undefined;
}

function splitPort(domain: string): [string, string | undefined] {
  const m = /^(.*?)(?::([0-9]+))?$/.exec(domain) as RegExpExecArray;
  return [m[1] as string, m[2]];
}
