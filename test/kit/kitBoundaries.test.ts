// The kit is the one way tests and benchmarks reach their helpers: nothing outside test/kit imports
// a file inside it other than its index, and no unit test under src/ imports test/ at all (shared
// set-ups live beside the code as *Fixture.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const KIT = join(REPO, 'test', 'kit');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|tsx|mts)$/.test(name)) out.push(path);
  }
  return out;
}

/** The files a module's relative static and dynamic imports point at. */
function relativeImports(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => resolve(dirname(file), s));
}

test('relativeImports finds static and dynamic relative imports, not packages', () => {
  const text = "import { a } from './a.js';\nimport b from 'pkg';\nconst c = await import('../c/index.js');";
  assert.deepEqual(relativeImports('/r/x/y.ts', text), ['/r/x/a.js', '/r/c/index.js']);
});

test('outside test/kit, the kit is imported only through test/kit/index.ts', () => {
  const offenders: string[] = [];
  for (const file of ['test', 'bench'].flatMap((d) => sources(join(REPO, d)))) {
    if (file.startsWith(`${KIT}/`)) continue;
    for (const target of relativeImports(file, readFileSync(file, 'utf8'))) {
      if (target.startsWith(`${KIT}/`) && target !== join(KIT, 'index.js')) {
        offenders.push(`${relative(REPO, file)} imports ${relative(REPO, target)}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test('no file under src/ imports anything under test/', () => {
  const offenders: string[] = [];
  for (const file of sources(join(REPO, 'src'))) {
    for (const target of relativeImports(file, readFileSync(file, 'utf8'))) {
      if (target.startsWith(join(REPO, 'test'))) offenders.push(`${relative(REPO, file)} imports ${relative(REPO, target)}`);
    }
  }
  assert.deepEqual(offenders, []);
});
