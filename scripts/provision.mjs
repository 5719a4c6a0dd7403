// Makes this machine able to run the tests, first thing in `npm test`: the real components they
// start (containerd, a registry, skopeo, Chromium, …) are Debian packages, listed in
// scripts/provision/debian-packages.txt. Missing ones are installed in one apt-get step when running
// as root; otherwise this stops at once with one message naming them and the command. Then every
// scripts/provision/*.sh runs, in name order (other set-up steps, e.g. extra containerd versions).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'provision');

/** Package names of the list file: comments and blank lines dropped. */
export function parsePackageList(text) {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}

/** The packages dpkg does not report as installed. */
function missingPackages(packages) {
  // dpkg-query's own format placeholders, not a JavaScript template.
  const format = ['$', '{Package} $', '{db:Status-Status}\n'].join('');
  const r = spawnSync('dpkg-query', ['-W', '-f', format, ...packages], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot ask dpkg which packages are installed (${r.error.message}): the tests need a Debian-based machine`);
  const installed = new Set(
    r.stdout
      .split('\n')
      .filter((l) => l.endsWith(' installed'))
      .map((l) => l.split(' ')[0]),
  );
  return packages.filter((p) => !installed.has(p));
}

function run(command, args, env = {}) {
  const r = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

export const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/**
 * Runs `install` with Debian's policy-rc.d answering 101 ("action forbidden"), so the packages'
 * maintainer scripts do not start containerd, a registry, NATS or PostgreSQL as system services on
 * the caller's machine: the tests start their own, on free ports. An existing policy is left alone.
 */
export function withoutServiceStarts(install, path = POLICY_RC_D) {
  if (existsSync(path)) return install();
  writeFileSync(path, '#!/bin/sh\n# written by pulltrace scripts/provision.mjs for one apt-get run\nexit 101\n', { mode: 0o755 });
  try {
    return install();
  } finally {
    rmSync(path, { force: true });
  }
}

/** `dir` holds debian-packages.txt and the *.sh steps; `isRoot` decides between installing and stopping. */
export function provision({ dir = DIR, isRoot = process.getuid?.() === 0 } = {}) {
  const packages = parsePackageList(readFileSync(join(dir, 'debian-packages.txt'), 'utf8'));
  const missing = missingPackages(packages);
  if (missing.length > 0) {
    const command = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing.join(' ')}`;
    if (!isRoot) {
      throw new Error(
        `the tests need these Debian packages, which are not installed: ${missing.join(', ')}.\nInstall them as root, then run npm test again:\n  sudo sh -c '${command}'`,
      );
    }
    console.log(`provision: installing ${missing.join(' ')} (apt-get; their system services are not started)`);
    run('apt-get', ['update', '-q']);
    withoutServiceStarts(() =>
      run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { DEBIAN_FRONTEND: 'noninteractive' }),
    );
  }
  for (const script of readdirSync(dir)
    .filter((n) => n.endsWith('.sh'))
    .sort()) {
    console.log(`provision: ${script}`);
    run('bash', [join(dir, script)]);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    provision();
  } catch (err) {
    console.error(`provision: ${err.message}`);
    process.exit(1);
  }
}
