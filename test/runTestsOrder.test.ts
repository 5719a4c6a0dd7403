// The suite starts its slowest files first (scripts/run-tests.mjs), so none runs alone at the end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
// @ts-expect-error: a plain JavaScript script without type declarations
import { SLOW_FIRST, startOrder } from '../scripts/run-tests.mjs';

test('files start by their first matching prefix, then by name; the rest after, by name', () => {
  const files = [
    'src/a.test.ts',
    'test/ui/b.test.ts',
    'test/agent/x.test.ts',
    'test/ui/a.test.ts',
    'test/watch/w.test.ts',
    'bench/z.test.ts',
  ];
  assert.deepEqual(startOrder(files, ['test/watch/', 'test/ui/', 'test/agent/'], process.cwd()), [
    'test/watch/w.test.ts',
    'test/ui/a.test.ts',
    'test/ui/b.test.ts',
    'test/agent/x.test.ts',
    'bench/z.test.ts',
    'src/a.test.ts',
  ]);
});

test('every SLOW_FIRST prefix still names test files (a renamed slow file is noticed)', async () => {
  const { readdirSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const all = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.test.ts') && !f.includes('node_modules'));
  for (const prefix of SLOW_FIRST as string[]) {
    assert.ok(
      all.some((f) => f.replaceAll('\\', '/').startsWith(prefix)),
      `no test file starts with ${prefix}`,
    );
  }
});

test("the tests never inherit the caller's colour, CI or terminal variables", async () => {
  // @ts-expect-error: a plain JavaScript script without type declarations
  const { testEnvironment } = await import('../scripts/run-tests.mjs');
  const env = testEnvironment({ PATH: '/bin', NO_COLOR: '1', FORCE_COLOR: '3', CI: 'true', TERM: 'dumb', CLICOLOR_FORCE: '1' });
  assert.deepEqual(env, { PATH: '/bin', TERM: 'xterm-256color' });
});
