// Arrows point down: the folder rules of docs/CONTRIBUTING.md ("Where does my change go"), checked
// over the import graph of src/ and web/src. Rules are by folder role (a folder's top-level name,
// the server's parts by their own folder), so renaming a part of the server keeps them working.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT } from '../chart/helm.js';
import { stripTicks, tableRows } from '../docs/markdown.js';
import { cycles, type ImportEdge, importGraph, importsOf } from './importGraph.js';

/**
 * Imports that break a rule today, by file name (names survive folder renames), each with why.
 * Keep this list short: an entry is a debt, not a permission.
 */
const EXCEPTIONS: ReadonlyArray<{ from: string; to: string; why: string }> = [
  {
    from: 'agent',
    to: 'src/model/reportLimits.ts',
    why: 'plain numbers the agent imports alone, so a node agent does not load TypeBox (model/index.ts)',
  },
  {
    from: 'parseHistoryDb.ts',
    to: 'src/store/postgres/postgresUrl.ts',
    why: "the PostgreSQL URL rules are pure, but the store's index opens SQLite; they belong in src/config (store restructure)",
  },
  {
    from: 'src/server/index.ts',
    to: 'src/store/postgres/postgresUrl.ts',
    why: 'the same URL rules, for the start-up log line (store restructure)',
  },
  {
    from: 'postgresHistoryStore.ts',
    to: 'src/store/history.ts',
    why: 'the PostgreSQL store implements the History interface of history.ts, which picks the store: a file cycle (type only) until the dialects sit behind one history.ts (store restructure)',
  },
  {
    from: 'originalReportShape.ts',
    to: 'placeholderImageRef.ts',
    why: "the original-report adapter is called by the tracker's report grouping: a cycle tracker ↔ its admission part until the adapter runs at the door (issue #20, point 2)",
  },
  {
    from: 'sseHub.ts',
    to: 'faultReport.ts',
    why: "the SSE hub logs faults with the server root's helper: a cycle server ↔ outputs until that helper moves down (outputs restructure)",
  },
];

const { files, edges, unresolved } = importGraph(REPO_ROOT, ['src', 'web/src']);

const excepted = (e: ImportEdge) =>
  EXCEPTIONS.some(
    (x) =>
      (e.from === x.from || e.from.endsWith(`/${x.from}`) || e.from.startsWith(`src/${x.from}/`)) &&
      (e.to === x.to || e.to.endsWith(`/${x.to}`)),
  );

/** `src/server/http/routes/x.ts` → `src/server`; `web/src/…` → `web`; `src/version.ts` → `src`. */
export function folderOf(file: string): string {
  if (file.startsWith('web/')) return 'web';
  const parts = file.split('/');
  return parts.length === 2 ? 'src' : `src/${parts[1]}`;
}

/** A top-level folder, or for the server one of its parts (`src/server/http`; root files: `src/server`). */
export function partOf(file: string): string {
  const folder = folderOf(file);
  const parts = file.split('/');
  return folder === 'src/server' && parts.length > 3 ? `src/server/${parts[2]}` : folder;
}

function contributingRules(): Map<string, Set<string>> {
  const text = readFileSync(join(REPO_ROOT, 'docs', 'CONTRIBUTING.md'), 'utf8');
  const start = text.indexOf('### Where does my change go');
  assert.ok(start >= 0, 'docs/CONTRIBUTING.md has the section "Where does my change go"');
  const section = text.slice(start, text.indexOf('\n## ', start));
  const rules = new Map<string, Set<string>>();
  for (const row of tableRows(section).slice(2)) {
    const folder = stripTicks(row[0] ?? '');
    const allowed = [...(row[2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    rules.set(folder, new Set(allowed));
  }
  return rules;
}

const crossing = edges.filter((e) => folderOf(e.from) !== folderOf(e.to));

describe('import graph', () => {
  test('every relative import resolves to a source file (so the graph is whole)', () => {
    assert.deepEqual(unresolved, []);
    assert.ok(files.length > 100 && edges.length > 300, `read ${files.length} files, ${edges.length} imports`);
  });

  test('the reader sees static, type-only, re-exported and lazy imports', () => {
    const text =
      "import type { A } from './a.js';\nimport {\n  b,\n} from '../b.js';\nexport { c } from './c.js';\nconst d = await import('./d.js');\nimport './e.js';";
    assert.deepEqual(importsOf(text), [
      { spec: './a.js', typeOnly: true, dynamic: false },
      { spec: '../b.js', typeOnly: false, dynamic: false },
      { spec: './c.js', typeOnly: false, dynamic: false },
      { spec: './e.js', typeOnly: false, dynamic: false },
      { spec: './d.js', typeOnly: false, dynamic: true },
    ]);
  });

  test("each folder imports only what CONTRIBUTING's table allows it, and every folder is in the table", () => {
    const rules = contributingRules();
    const folders = new Set(files.map(folderOf).filter((f) => f !== 'src'));
    assert.deepEqual([...folders].filter((f) => !rules.has(f)).sort(), [], 'folders missing from the table');
    const bad = crossing
      .filter((e) => folderOf(e.to) !== 'src' && !excepted(e))
      .filter((e) => !rules.get(folderOf(e.from))?.has(folderOf(e.to)))
      .map((e) => `${e.from} → ${e.to}`);
    assert.deepEqual(bad, []);
  });

  test('files in src/ itself are leaves anyone may import', () => {
    const roots = files.filter((f) => folderOf(f) === 'src');
    assert.deepEqual(
      edges.filter((e) => roots.includes(e.from)).map((e) => `${e.from} → ${e.to}`),
      [],
    );
  });

  test('another folder is imported only through an index.ts', () => {
    const bad = crossing
      .filter((e) => folderOf(e.to) !== 'src' && !e.to.endsWith('/index.ts') && !excepted(e))
      .map((e) => `${e.from} → ${e.to}`);
    assert.deepEqual(bad, []);
  });

  test('the web UI takes only types from the model (the bundle carries no schema code)', () => {
    const bad = crossing.filter((e) => folderOf(e.from) === 'web' && folderOf(e.to) === 'src/model' && !e.typeOnly);
    assert.deepEqual(
      bad.map((e) => `${e.from} → ${e.to}`),
      [],
    );
  });

  test('no import cycle between files', () => {
    const found = cycles(edges.filter((e) => !excepted(e)).map((e) => [e.from, e.to]));
    assert.deepEqual(found, []);
  });

  test('no import cycle between folders (the server’s parts each count as one)', () => {
    const found = cycles(edges.filter((e) => !excepted(e)).map((e) => [partOf(e.from), partOf(e.to)]));
    assert.deepEqual(found, []);
  });

  test('HTTP stays in src/server/http: no other server part imports it, and only apiError.ts builds an ApiError', () => {
    const bad = edges
      .filter((e) => partOf(e.to) === 'src/server/http' && folderOf(e.from) === 'src/server')
      .filter((e) => partOf(e.from) !== 'src/server/http' && partOf(e.from) !== 'src/server')
      .map((e) => `${e.from} → ${e.to}`);
    assert.deepEqual(bad, []);
    const builders = files.filter(
      (f) => f !== 'src/server/http/apiError.ts' && /\bnew ApiError\(/.test(readFileSync(join(REPO_ROOT, f), 'utf8')),
    );
    assert.deepEqual(builders, []);
  });

  test('@kubernetes/client-node is loaded only in src/k8s/client and src/kubectl; the server loads the client lazily', () => {
    const loaders = files.filter((f) =>
      importsOf(readFileSync(join(REPO_ROOT, f), 'utf8')).some((i) => i.spec === '@kubernetes/client-node' && !i.typeOnly),
    );
    assert.deepEqual(
      loaders.filter((f) => !f.startsWith('src/k8s/client/') && !f.startsWith('src/kubectl/')),
      [],
    );
    assert.ok(loaders.length > 0, 'the client library is loaded somewhere');
    const eager = edges.filter(
      (e) =>
        e.to.startsWith('src/k8s/client/') &&
        !e.from.startsWith('src/k8s/') &&
        !e.from.startsWith('src/kubectl/') &&
        !e.dynamic &&
        !e.typeOnly,
    );
    assert.deepEqual(
      eager.map((e) => `${e.from} → ${e.to}`),
      [],
    );
  });

  test('the exceptions are still needed (a fixed one leaves the list)', () => {
    for (const x of EXCEPTIONS)
      assert.ok(
        edges.some((e) => excepted(e) && e.to.endsWith(x.to.split('/').pop() as string)),
        `${x.from} → ${x.to} no longer occurs`,
      );
  });
});
