// The Node.js the project runs and is tested on: the LTS major of package.json "engines" and of the
// Dockerfile's image. `npm ci` (its `prepare`) and `npm test` run this first. When the machine's own
// Node is another major (Node 20 on an older CI image), it fetches that LTS Node from the npm
// registry (the node-<platform>-<arch> package: the official binary and its headers), links it as
// node_modules/.bin/node, which npm puts first on the PATH of every script (`npm start`, `npm test`,
// `npm run …`), and rebuilds better-sqlite3's native addon for it (against the package's headers:
// node-gyp must not download them, the machine may not reach nodejs.org or GitHub). The machine's
// own Node then only runs npm itself and the install scripts of `npm ci`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** The pinned LTS release: the Dockerfile's image has the same version (a test checks). */
export const LTS_NODE_VERSION = '24.22.3';

/**
 * The registry packages of that release, with the integrity the registry published for them
 * (checked again here, so a changed tarball is refused). Other platforms install Node 24 themselves.
 */
export const LTS_NODE_PACKAGES = {
  'linux-x64': 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
  'linux-arm64': 'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==',
};

/** 'v20.20.2' or '20.20.2' → 20. */
export function majorOf(version) {
  const m = /^v?(\d+)\./.exec(version);
  if (!m) throw new Error(`not a Node.js version: ${JSON.stringify(version)}`);
  return Number(m[1]);
}

/** Whether this Node is another major than the LTS one, so the LTS Node is fetched and used instead. */
export function needsLtsNode(version, ltsVersion = LTS_NODE_VERSION) {
  return majorOf(version) !== majorOf(ltsVersion);
}

/** Where the LTS Node lives in a checkout: unpacked under node_modules/.cache, linked as .bin/node. */
export function ltsNodePaths(repo = REPO, version = LTS_NODE_VERSION) {
  const dir = join(repo, 'node_modules', '.cache', 'pulltrace-node', `v${version}`);
  return { dir, node: join(dir, 'bin', 'node'), link: join(repo, 'node_modules', '.bin', 'node') };
}

/**
 * The Node to run the tests (or the product) on: this one when it is the LTS major, else the
 * checkout's LTS Node once fetched, else this one (the version test then says what is wrong).
 */
export function nodeToRunOn({ repo = REPO, version = process.version, execPath = process.execPath, exists = existsSync } = {}) {
  if (!needsLtsNode(version)) return execPath;
  const { node } = ltsNodePaths(repo);
  return exists(node) ? node : execPath;
}

/** 'sha512-…' of a file, in the registry's integrity format. */
export function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (r.error) throw new Error(`${command} ${args.join(' ')}: ${r.error.message}`);
  return r;
}

/** Downloads the package through npm (its cache, registry and proxy settings), checks it, unpacks it. */
function fetchLtsNode(repo, platform) {
  const { dir, node } = ltsNodePaths(repo);
  const spec = `node-${platform}@${LTS_NODE_VERSION}`;
  const tmp = mkdtempSync(join(dirname(dir), '.fetch-'));
  try {
    console.log(`lts-node: this is Node.js ${process.version}; fetching ${spec} from the npm registry`);
    const pack = run('npm', ['pack', spec, '--pack-destination', tmp, '--json', '--silent'], { cwd: tmp });
    if (pack.status !== 0) throw new Error(`npm pack ${spec} failed:\n${pack.stderr}`);
    const tarball = join(tmp, JSON.parse(pack.stdout)[0].filename);
    const got = integrityOf(tarball);
    if (got !== LTS_NODE_PACKAGES[platform])
      throw new Error(`${spec}: the tarball's integrity is ${got}, not the pinned ${LTS_NODE_PACKAGES[platform]}`);
    const unpacked = join(tmp, 'unpacked');
    mkdirSync(unpacked);
    const tar = run('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
    if (tar.status !== 0) throw new Error(`unpacking ${spec} failed:\n${tar.stderr}`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(unpacked, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const v = run(node, ['--version']);
  if (v.stdout.trim() !== `v${LTS_NODE_VERSION}`) throw new Error(`${node} --version says ${JSON.stringify(v.stdout.trim())} ${v.stderr}`);
}

/** node_modules/.bin/node → the LTS Node (relative, so the checkout can move). */
function linkLtsNode(repo) {
  const { node, link } = ltsNodePaths(repo);
  const target = relative(dirname(link), node);
  let current;
  try {
    current = readlinkSync(link);
  } catch {}
  if (current === target) return;
  mkdirSync(dirname(link), { recursive: true });
  rmSync(link, { force: true });
  symlinkSync(target, link);
}

/** Whether better-sqlite3's addon loads on that Node (it is built for one ABI). */
function sqliteLoads(node, repo) {
  return run(node, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: repo });
}

/** Builds the addon for the LTS Node: a prebuilt binary if GitHub answers, else node-gyp with the package's headers. */
function rebuildSqlite(repo) {
  const { dir, node } = ltsNodePaths(repo);
  if (sqliteLoads(node, repo).status === 0) return;
  console.log(`lts-node: building better-sqlite3 for Node.js v${LTS_NODE_VERSION} (headers from ${relative(repo, dir)})`);
  // The LTS Node first on the PATH: npm, prebuild-install and node-gyp (`#!/usr/bin/env node`) run on it.
  const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` };
  const r = run('npm', ['rebuild', 'better-sqlite3', `--nodedir=${dir}`], { cwd: repo, env, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm rebuild better-sqlite3 --nodedir=${dir} failed (exit ${r.status ?? r.signal})`);
  const check = sqliteLoads(node, repo);
  if (check.status !== 0) throw new Error(`better-sqlite3 still does not load on Node.js v${LTS_NODE_VERSION}:\n${check.stderr}`);
}

/** Makes the checkout run on the LTS Node; nothing to do when this Node is already that major. */
export function ensureLtsNode({ repo = REPO, version = process.version, platform = `${process.platform}-${process.arch}` } = {}) {
  if (!needsLtsNode(version)) return 'this';
  if (!LTS_NODE_PACKAGES[platform]) {
    const message = `Pulltrace runs and is tested on Node.js ${majorOf(LTS_NODE_VERSION)}; this is ${version} on ${platform}, for which there is no pinned Node package: install Node.js ${majorOf(LTS_NODE_VERSION)} (https://nodejs.org/)`;
    if (majorOf(version) < majorOf(LTS_NODE_VERSION)) throw new Error(message);
    console.warn(`lts-node: ${message}; going on with ${version}`);
    return 'this';
  }
  const { node, dir } = ltsNodePaths(repo);
  mkdirSync(dirname(dir), { recursive: true });
  if (!existsSync(node)) fetchLtsNode(repo, platform);
  linkLtsNode(repo);
  rebuildSqlite(repo);
  return 'lts';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    ensureLtsNode();
  } catch (err) {
    console.error(`lts-node: ${err.message}`);
    process.exit(1);
  }
}
