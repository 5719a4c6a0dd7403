// The import graph of src/ and web/src: every relative import of every source file (tests and
// component suites left out), read with a regular expression (the code base writes plain
// `import … from '…'`, `export … from '…'` and `await import('…')`).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface ImportEdge {
  /** repository-relative paths, `/`-separated, `.ts`/`.tsx` */
  from: string;
  to: string;
  /** `import type` / `export type`: erased at build time */
  typeOnly: boolean;
  /** `await import(…)`: loaded only when that code runs */
  dynamic: boolean;
}

const STATIC = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Import specifiers of one file's text. */
export function importsOf(text: string): Array<{ spec: string; typeOnly: boolean; dynamic: boolean }> {
  const out: Array<{ spec: string; typeOnly: boolean; dynamic: boolean }> = [];
  for (const m of text.matchAll(STATIC)) out.push({ spec: m[3] as string, typeOnly: m[2] !== undefined, dynamic: false });
  for (const m of text.matchAll(DYNAMIC)) out.push({ spec: m[1] as string, typeOnly: false, dynamic: true });
  return out;
}

function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...sourceFiles(root, path));
    } else if (/\.tsx?$/.test(entry.name) && !/\.(test|suite)\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

/** `./x.js` from `src/a/b.ts` → `src/a/x.ts` (or `.tsx`, whichever exists). */
function resolveSpec(root: string, from: string, spec: string, files: Set<string>): string | undefined {
  const base = relative(root, resolve(root, dirname(from), spec))
    .split('\\')
    .join('/');
  const stem = base.replace(/\.(js|jsx|ts|tsx)$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.tsx`, `${stem}/index.ts`]) if (files.has(candidate)) return candidate;
  return undefined;
}

export function importGraph(root: string, dirs: readonly string[]): { files: string[]; edges: ImportEdge[]; unresolved: string[] } {
  const files = dirs.flatMap((d) => sourceFiles(root, d));
  const known = new Set(files);
  const edges: ImportEdge[] = [];
  const unresolved: string[] = [];
  for (const from of files) {
    for (const imp of importsOf(readFileSync(join(root, from), 'utf8'))) {
      // relative imports of code only (the page's stylesheet is the bundler's business)
      if (!imp.spec.startsWith('.') || /\.(css|svg|png|json)$/.test(imp.spec)) continue;
      const to = resolveSpec(root, from, imp.spec, known);
      if (to) edges.push({ from, to, typeOnly: imp.typeOnly, dynamic: imp.dynamic });
      else unresolved.push(`${from} → ${imp.spec}`);
    }
  }
  return { files, edges, unresolved };
}

/** The groups of nodes that reach each other (strongly connected components of more than one node). */
export function cycles(edges: ReadonlyArray<[string, string]>): string[][] {
  const next = new Map<string, string[]>();
  for (const [a, b] of edges) {
    if (a === b) continue;
    next.set(a, [...(next.get(a) ?? []), b]);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}
