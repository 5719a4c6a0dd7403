// Which `pulltrace` the tests run: the override wins, else the built one when dist/ is fresh.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliSource, distIsFresh } from './cliCommand.js';

for (const [env, fresh, want] of [
  [{}, true, 'dist'],
  [{}, false, 'source'],
  [{ PULLTRACE_TEST_CLI: 'source' }, true, 'source'],
  [{ PULLTRACE_TEST_CLI: 'dist' }, false, 'dist'],
] as const) {
  test(`cliSource(${JSON.stringify(env)}, dist fresh: ${fresh}) = ${want}`, () => {
    assert.equal(
      cliSource(env, () => fresh),
      want,
    );
  });
}

test('a bad PULLTRACE_TEST_CLI is refused, naming the variable and the choices', () => {
  assert.throws(() => cliSource({ PULLTRACE_TEST_CLI: 'built' }, () => true), /PULLTRACE_TEST_CLI must be "dist" or "source", not "built"/);
});

test('dist is fresh only when it exists and is newer than every file of src/', (t) => {
  const repo = mkdtempSync(join(tmpdir(), 'pt-cli-fresh-'));
  t.after(() => rmSync(repo, { recursive: true, force: true }));
  mkdirSync(join(repo, 'src', 'server'), { recursive: true });
  const source = join(repo, 'src', 'server', 'index.ts');
  writeFileSync(source, '');
  assert.equal(distIsFresh(repo), false, 'no dist/');
  mkdirSync(join(repo, 'dist', 'cli'), { recursive: true });
  const built = join(repo, 'dist', 'cli', 'main.js');
  writeFileSync(built, '');
  utimesSync(source, 1000, 1000);
  utimesSync(built, 2000, 2000);
  assert.equal(distIsFresh(repo), true, 'built after the last edit');
  utimesSync(source, 3000, 3000);
  assert.equal(distIsFresh(repo), false, 'a source file edited after the build');
});
