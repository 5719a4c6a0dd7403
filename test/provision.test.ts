// `npm test` provisions its machine first (scripts/provision.mjs): the package list parses, a
// non-root run with packages missing stops with one message naming them and the command, and the
// provision/*.sh steps run in name order.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
// @ts-expect-error: a plain .mjs script without type declarations
import { parsePackageList, provision, withoutServiceStarts } from '../scripts/provision.mjs';
import { REPO_ROOT } from './chart/helm.js';

test('the package list names the real components the tests start', () => {
  const packages = parsePackageList(readFileSync(join(REPO_ROOT, 'scripts', 'provision', 'debian-packages.txt'), 'utf8')) as string[];
  for (const p of ['containerd', 'docker-registry', 'skopeo', 'chromium', 'ca-certificates', 'tmux', 'openssl'])
    assert.ok(packages.includes(p), p);
  assert.ok(
    packages.every((p) => /^[a-z0-9][a-z0-9.+-]+$/.test(p)),
    'one Debian package name per line',
  );
});

test('comments and blank lines are not packages', () => {
  assert.deepEqual(parsePackageList('# head\n\ncontainerd   # why\n  skopeo\n'), ['containerd', 'skopeo']);
});

test('not root and a package missing: one message listing it and the command, nothing run', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-provision-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'debian-packages.txt'), 'bash\npulltrace-no-such-package\n');
  writeFileSync(join(dir, '10-step.sh'), `touch ${join(dir, 'ran')}\n`);
  assert.throws(() => provision({ dir, isRoot: false }), {
    message:
      'the tests need these Debian packages, which are not installed: pulltrace-no-such-package.\n' +
      'Install them as root, then run npm test again:\n' +
      "  sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends pulltrace-no-such-package'",
  });
  assert.throws(() => readFileSync(join(dir, 'ran')), 'the steps did not run');
});

test('with every package present, the provision/*.sh steps run in name order', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-provision-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'log');
  writeFileSync(join(dir, 'debian-packages.txt'), 'bash\n');
  writeFileSync(join(dir, '20-second.sh'), `echo second >> ${log}\n`);
  writeFileSync(join(dir, '10-first.sh'), `echo first >> ${log}\n`);
  writeFileSync(join(dir, 'notes.txt'), 'not a step\n');
  provision({ dir, isRoot: false });
  assert.equal(readFileSync(log, 'utf8'), 'first\nsecond\n');
});

test('apt-get runs under a policy-rc.d that forbids starting services, removed afterwards (also on failure)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-policy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const policy = join(dir, 'policy-rc.d');
  // What invoke-rc.d / deb-systemd-invoke do: run the policy with the service and action; 101 = forbidden.
  const seen = withoutServiceStarts(() => spawnSync(policy, ['containerd', 'start']).status, policy);
  assert.equal(seen, 101, 'starting a service was forbidden during the install');
  assert.equal(existsSync(policy), false, 'the policy is gone after the install');
  assert.throws(
    () =>
      withoutServiceStarts(() => {
        throw new Error('apt failed');
      }, policy),
    /apt failed/,
  );
  assert.equal(existsSync(policy), false, 'the policy is gone after a failed install');
  writeFileSync(policy, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  withoutServiceStarts(() => undefined, policy);
  assert.equal(readFileSync(policy, 'utf8'), '#!/bin/sh\nexit 0\n', "the machine's own policy is left alone");
});
