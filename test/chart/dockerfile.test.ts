// The image recipe, checked statically: pinned bases, a non-root user, files that exist and
// are not hidden by .dockerignore, and a runtime stage that ships what the package ships.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SETTINGS } from '../../src/config/index.js';
import { copies, dockerignoreMatcher, globalArgs, packageName, parseDockerfile, runtimeImports, substitute } from './dockerfile.js';
import { REPO_ROOT } from './helm.js';

const dockerfile = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const ignored = dockerignoreMatcher(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8'));
const lastStage = Math.max(...dockerfile.map((i) => i.stage));
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { files: string[]; dependencies: Record<string, string> };

describe('.dockerignore matcher', () => {
  const matcher = dockerignoreMatcher('node_modules\n*.db\ndocs\n!docs/schemas\n**/secret.txt\n');
  for (const [path, want] of [
    ['node_modules', true],
    ['node_modules/yaml/index.js', true],
    ['src/node_modules', false],
    ['history.db', true],
    ['data/history.db', false],
    ['docs/api.md', true],
    ['docs/schemas/pull-event-v1.json', false],
    ['a/b/secret.txt', true],
    ['src/cli/main.ts', false],
  ] as const) {
    test(`${path} → ${want ? 'ignored' : 'kept'}`, () => assert.equal(matcher(path), want));
  }
});

describe('runtime imports', () => {
  for (const [source, want] of [
    ["import { a } from 'fastify';", ['fastify']],
    ["import type { A } from 'pino';", []],
    ["import {\n  type A,\n  b,\n} from '@grpc/grpc-js';", ['@grpc/grpc-js']],
    ["export { x } from './x.js';\nimport 'side-effect';", ['side-effect']],
    ["const m = await import('@kubernetes/client-node');", ['@kubernetes/client-node']],
    ["import { join } from 'node:path';", []],
  ] as const) {
    test(JSON.stringify(source), () => assert.deepEqual(runtimeImports(source), [...want]));
  }
});

describe('Dockerfile', () => {
  test('every base image is pinned to a version (no latest, no bare major) and both stages share it', () => {
    const args = globalArgs(dockerfile);
    const bases = dockerfile.filter((i) => i.keyword === 'FROM').map((i) => substitute(i.args.split(/\s+/)[0] as string, args));
    assert.ok(bases.length >= 2, 'multi-stage build');
    for (const image of bases) {
      const tag = /:([^/:@]+)$/.exec(image)?.[1];
      assert.ok(tag, `${image} has a tag`);
      assert.notEqual(tag, 'latest');
      assert.match(tag, /^\d+\.\d+\.\d+-/, `${image}: a full version, so rebuilds are reproducible`);
    }
    assert.equal(new Set(bases).size, 1, 'build and runtime on the same base, so the native addon matches');
  });

  test('the runtime stage runs as a numeric non-root user (so runAsNonRoot can verify it)', () => {
    const users = dockerfile.filter((i) => i.keyword === 'USER' && i.stage === lastStage);
    assert.ok(users.length > 0, 'USER is set in the final stage');
    const user = (users[users.length - 1] as { args: string }).args;
    assert.match(user, /^\d+(:\d+)?$/);
    assert.notEqual(user.split(':')[0], '0');
  });

  test('`pulltrace` is the entrypoint, `server` the default command', () => {
    const entry = dockerfile.filter((i) => i.keyword === 'ENTRYPOINT' && i.stage === lastStage).pop();
    const cmd = dockerfile.filter((i) => i.keyword === 'CMD' && i.stage === lastStage).pop();
    assert.deepEqual(JSON.parse(entry?.args ?? 'null'), ['pulltrace']);
    assert.deepEqual(JSON.parse(cmd?.args ?? 'null'), ['server']);
  });

  test('files copied from the build context exist and are not excluded by .dockerignore', () => {
    const fromContext = copies(dockerfile).filter((c) => c.from === undefined);
    assert.ok(fromContext.length > 0);
    for (const c of fromContext) {
      for (const source of c.sources) {
        assert.ok(existsSync(join(REPO_ROOT, source)), `${source} exists`);
        if (source !== '.') assert.ok(!ignored(source), `${source} is not excluded by .dockerignore`);
      }
    }
  });

  test('.dockerignore keeps what the build needs and drops local state', () => {
    for (const needed of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'src/cli/main.ts',
      'bin/pulltrace',
      'scripts/build-web.mjs',
      'web/index.html',
      'docs/schemas/pull-event-v1.json',
      'proto/containerd',
    ]) {
      assert.ok(!ignored(needed), `${needed} reaches the build`);
    }
    for (const dropped of ['node_modules', 'dist/cli/main.js', 'web/dist/index.html', '.git', 'history.db', 'test/chart/chart.test.ts']) {
      assert.ok(ignored(dropped), `${dropped} stays out of the build context`);
    }
  });

  test('the runtime stage ships exactly package.json, production node_modules and the package "files"', () => {
    const runtime = copies(dockerfile).filter((c) => c.stage === lastStage);
    assert.ok(
      runtime.every((c) => c.from === 'build'),
      'the runtime stage copies only from the build stage',
    );
    const shipped = runtime.flatMap((c) => c.sources.map((s) => s.replace(/^\/src\//, '').replace(/\/$/, '')));
    assert.deepEqual(shipped.sort(), ['package.json', 'node_modules', ...pkg.files].sort());
  });

  test('build stage installs with npm ci (which builds dist/ and the web UI) and prunes dev dependencies', () => {
    const build = dockerfile.filter((i) => i.stage === 0 && i.keyword === 'RUN').map((i) => i.args);
    assert.ok(build.some((r) => /npm ci --no-audit/.test(r) && /npm prune --omit=dev/.test(r)));
  });

  test('the code the image runs (src/, bin/) imports only production dependencies, which npm prune keeps', () => {
    const files: string[] = [join(REPO_ROOT, 'bin', 'pulltrace')];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) files.push(path);
      }
    };
    walk(join(REPO_ROOT, 'src'));
    const production = new Set(Object.keys(pkg.dependencies));
    // Loads on a path only source runs take (the module's own URL ends in .ts, under tsx): the image
    // runs dist/, whose .js never takes it. Each entry names its file, so no other import slips by.
    const sourceOnly = new Set(['src/store/sqlite/historyReadThreads.ts tsx/esm/api']);
    for (const file of files) {
      for (const specifier of runtimeImports(readFileSync(file, 'utf8'))) {
        if (sourceOnly.has(`${file.slice(REPO_ROOT.length + 1)} ${specifier}`)) continue;
        assert.ok(
          production.has(packageName(specifier)),
          `${file.slice(REPO_ROOT.length + 1)} imports ${specifier}, which is not in "dependencies"`,
        );
      }
    }
  });

  test('PULLTRACE_ variables it sets are settings; history goes to the /data volume', () => {
    const known = new Set(SETTINGS.map((s) => s.env));
    const env = dockerfile
      .filter((i) => i.keyword === 'ENV' && i.stage === lastStage)
      .map((i) => i.args)
      .join(' ');
    const names = [...env.matchAll(/(PULLTRACE_[A-Z0-9_]+)=/g)].map((m) => m[1] as string);
    for (const name of names) assert.ok(known.has(name), `${name} is a setting`);
    assert.match(env, /PULLTRACE_DB=\/data\/history\.db/);
    assert.ok(dockerfile.some((i) => i.stage === lastStage && i.keyword === 'RUN' && /chown 10001:10001 \/data/.test(i.args)));
  });
});
