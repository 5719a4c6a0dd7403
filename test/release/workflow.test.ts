// The release workflow (.github/workflows/release.yml): valid for GitHub Actions by the schema
// checker action-validator (from npm, runs offline), and doing what docs/installation.md promises —
// on a version tag, a linux/amd64 + linux/arm64 image pushed, and the chart pushed as an OCI artifact.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../chart/helm.js';

const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');
const require = createRequire(import.meta.url);
const VALIDATOR = join(dirname(require.resolve('@action-validator/cli/package.json')), 'cli.mjs');

function validate(file: string): { code: number; output: string } {
  const r = spawnSync(process.execPath, [VALIDATOR, file], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}

describe('workflow linter', () => {
  test('refuses a broken workflow (so a pass means something)', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'pulltrace-workflow-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'on: push\njobs:\n  a:\n    runs-onn: ubuntu-24.04\n    steps:\n      - run: true\n');
    const r = validate(file);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /runs-onn/);
  });

  for (const name of readdirSync(WORKFLOWS).filter((n) => /\.ya?ml$/.test(n))) {
    test(`.github/workflows/${name} is a valid workflow`, () => {
      const r = validate(join(WORKFLOWS, name));
      assert.equal(r.code, 0, r.output);
    });
  }
});

describe('release.yml', () => {
  const text = readFileSync(join(WORKFLOWS, 'release.yml'), 'utf8');
  const workflow = parseYaml(text);
  const steps = workflow.jobs.release.steps as Array<{ name: string; uses?: string; with?: Record<string, unknown>; run?: string }>;
  const step = (uses: string) => steps.find((s) => s.uses?.startsWith(`${uses}@`));

  test('runs on version tags only', () => {
    assert.deepEqual(Object.keys(workflow.on), ['push']);
    assert.deepEqual(workflow.on.push.tags, ['v[0-9]+.[0-9]+.[0-9]+']);
  });

  test('builds and pushes the image for linux/amd64 and linux/arm64', () => {
    const build = step('docker/build-push-action');
    assert.ok(build?.with);
    assert.equal(build.with.platforms, 'linux/amd64,linux/arm64');
    assert.equal(build.with.push, true);
    assert.ok(step('docker/setup-qemu-action') && step('docker/setup-buildx-action') && step('docker/login-action'));
    assert.equal(workflow.permissions.packages, 'write');
  });

  test('packages the chart and pushes it as an OCI artifact', () => {
    const chart = steps.find((s) => s.run?.includes('helm push'));
    assert.ok(chart?.run);
    assert.match(chart.run, /helm package charts\/pulltrace/);
    assert.match(
      chart.run,
      /helm push "dist\/chart\/pulltrace-\$\{\{ steps\.version\.outputs\.version \}\}\.tgz" "\$\{\{ steps\.version\.outputs\.charts \}\}"/,
    );
    assert.match(text, /echo "charts=oci:\/\/ghcr\.io\//);
    // The chart refuses to render without image.repository: the lint must give the one just pushed.
    assert.match(chart.run, /helm lint --strict charts\/pulltrace --set image\.repository=/);
  });

  test('checks the tag against package.json and Chart.yaml', () => {
    const check = steps.find((s) => s.run?.includes('package.json'))?.run ?? '';
    const chart = readFileSync(join(REPO_ROOT, 'charts', 'pulltrace', 'Chart.yaml'), 'utf8');
    const version = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version as string;
    // The same grep the workflow runs, against the files as they are.
    assert.match(check, /grep -qx "version: \$\{version\}" charts\/pulltrace\/Chart\.yaml/);
    assert.ok(chart.split('\n').includes(`version: ${version}`));
    assert.ok(chart.split('\n').includes(`appVersion: "${version}"`));
  });

  test('every action is pinned to a major version', () => {
    for (const s of steps.filter((x) => x.uses)) assert.match(s.uses as string, /@v\d+$/, s.name);
  });
});
