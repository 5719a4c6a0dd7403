// One supported Node.js LTS everywhere: package.json "engines", the bins' check, the version
// scripts/lts-node.mjs fetches, the Dockerfile's image and the docs name the same major, and this
// very test run is on it. The install step (`npm ci`, which may run on an older Node: devEngines)
// meets every package's "engines", so it prints no EBADENGINE.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
// @ts-expect-error: a plain .mjs script without type declarations
import { LTS_NODE_VERSION, ltsNodePaths, majorOf, needsLtsNode, nodeToRunOn } from '../../scripts/lts-node.mjs';
import { SUPPORTED_NODE_MAJOR } from '../../src/cli/supportedNode.js';
import { REPO_ROOT } from '../chart/helm.js';

const semver = createRequire(import.meta.url)('semver') as {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { version: string };
};
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json'));
const LTS_MAJOR: number = majorOf(LTS_NODE_VERSION);

test('engines, the bins, the fetched Node and the Dockerfile name one LTS major', () => {
  assert.ok([22, 24].includes(LTS_MAJOR), `Node.js ${LTS_MAJOR} is a supported LTS line`);
  assert.equal(pkg.engines.node, `>=${LTS_MAJOR}`, 'package.json engines');
  assert.equal(SUPPORTED_NODE_MAJOR, LTS_MAJOR, 'src/cli/supportedNode.ts');
  const image = /^ARG NODE_IMAGE=node:(\S+)$/m.exec(read('Dockerfile'))?.[1];
  assert.equal(image, `${LTS_NODE_VERSION}-bookworm-slim`, 'the Dockerfile builds on the same release the tests fetch');
});

test('this test run is on that major', () => {
  assert.equal(majorOf(process.version), LTS_MAJOR, `the tests run on Node.js ${process.version} (${process.execPath})`);
});

test('the docs name that Node.js and that image, and no other', () => {
  const image = `node:${LTS_NODE_VERSION}-bookworm-slim`;
  assert.match(read('docs/CONTRIBUTING.md'), new RegExp(`You need Node\\.js ${LTS_MAJOR}\\b`));
  assert.match(read('docs/installation.md'), new RegExp(`### From a checkout \\(Node\\.js ${LTS_MAJOR}\\)`));
  assert.match(read('README.md'), new RegExp(`Node\\.js ${LTS_MAJOR}\\b`));
  assert.ok(read('docs/security.md').includes(`built on \`${image}\``), `docs/security.md names ${image}`);
  for (const path of [
    'README.md',
    'docs/CONTRIBUTING.md',
    'docs/installation.md',
    'docs/security.md',
    'docs/agent.md',
    'charts/pulltrace/README.md',
  ]) {
    const other = read(path).match(/\bnode:\d+[.\d]*-\S+|Node(?:\.js)? (?:\d+) (?:or later|is required)|needs? Node(?:\.js)? \d+/g) ?? [];
    assert.deepEqual(
      other.filter((m) => !m.includes(`${LTS_MAJOR}`)),
      [],
      `${path} names another Node.js`,
    );
  }
});

test('npm ci on the oldest Node devEngines admits, and on the LTS, meets every installed package’s engines', () => {
  const installFloor = semver.minVersion(pkg.devEngines.runtime.version).version;
  assert.equal(pkg.devEngines.runtime.name, 'node');
  const lock = JSON.parse(read('package-lock.json'));
  const refusing: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages as Record<string, { engines?: { node?: string }; optional?: boolean }>)) {
    // The root's engines are not checked by npm when devEngines is set; an optional package that
    // does not fit is skipped without a warning (platform binaries of the build tools).
    const range = entry.engines?.node;
    if (path === '' || entry.optional || !range) continue;
    for (const version of [installFloor, LTS_NODE_VERSION])
      if (!semver.satisfies(version, range)) refusing.push(`${path} (${range}) on ${version}`);
  }
  assert.deepEqual(refusing, [], 'these would print EBADENGINE during npm ci');
});

test('the LTS Node is fetched when this Node is another major, and then runs the tests', () => {
  assert.equal(majorOf('v20.20.2'), 20);
  assert.equal(majorOf('24.22.3'), 24);
  assert.throws(() => majorOf('twenty'), /not a Node.js version/);
  assert.equal(needsLtsNode('v20.20.2', '24.22.3'), true);
  assert.equal(needsLtsNode('v26.1.0', '24.22.3'), true);
  assert.equal(needsLtsNode('v24.0.0', '24.22.3'), false);
  const { node, link } = ltsNodePaths('/repo');
  assert.equal(node, `/repo/node_modules/.cache/pulltrace-node/v${LTS_NODE_VERSION}/bin/node`);
  assert.equal(link, '/repo/node_modules/.bin/node');
  const on = (version: string, fetched: boolean) =>
    nodeToRunOn({ repo: '/repo', version, execPath: '/usr/bin/node', exists: (p: string) => fetched && p === node });
  assert.equal(on(`v${LTS_NODE_VERSION}`, true), '/usr/bin/node', 'the LTS major itself runs them');
  assert.equal(on('v20.20.2', true), node, 'an older Node hands them to the fetched one');
  assert.equal(on('v20.20.2', false), '/usr/bin/node', 'not fetched: the version test above says so');
});
