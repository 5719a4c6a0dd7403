// Just enough Dockerfile and .dockerignore parsing to check the image recipe statically
// (no container engine runs on these machines).

export interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** Instructions in order, with line continuations joined and comments dropped; stage counts FROMs from 0. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') && pending === '') continue;
    if (line === '' && pending === '') continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full.startsWith('#') || full === '') continue;
    const m = /^(\S+)\s*(.*)$/.exec(full);
    if (!m) continue;
    const keyword = (m[1] as string).toUpperCase();
    if (keyword === 'FROM') stage++;
    out.push({ keyword, args: m[2] as string, stage });
  }
  return out;
}

/** ARG defaults declared before the first FROM, used to resolve `FROM ${NAME}`. */
export function globalArgs(instructions: Instruction[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const i of instructions) {
    if (i.stage >= 0) break;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(i.args);
    if (i.keyword === 'ARG' && m) args[m[1] as string] = (m[2] as string).replace(/^"|"$/g, '');
  }
  return args;
}

export function substitute(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => args[name] ?? '');
}

export interface CopyInstruction {
  from: string | undefined;
  sources: string[];
  destination: string;
  stage: number;
}

export function copies(instructions: Instruction[]): CopyInstruction[] {
  return instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const paths = words.filter((w) => !w.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      return { from, sources: paths.slice(0, -1), destination: paths[paths.length - 1] as string, stage: i.stage };
    });
}

interface IgnoreRule {
  negated: boolean;
  pattern: RegExp;
}

/** A .dockerignore matcher: later rules win, `!` re-includes, a matched directory excludes its contents. */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const body = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
    const source = body
      .split('**')
      .map((part) =>
        part
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]'),
      )
      .join('.*');
    rules.push({ negated, pattern: new RegExp(`^${source}$`) });
  }
  return (path: string) => {
    const parts = path.replace(/^\.\/|\/$/g, '').split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const rule of rules) {
      if (candidates.some((c) => rule.pattern.test(c))) ignored = !rule.negated;
    }
    return ignored;
  };
}

/** Packages a TypeScript module loads at run time (type-only imports are erased by the compiler). */
export function runtimeImports(source: string): string[] {
  const out = new Set<string>();
  const statement = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(statement)) {
    if (m[2]) continue;
    out.add(m[3] as string);
  }
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.add(m[1] as string);
  return [...out].filter((s) => !s.startsWith('.') && !s.startsWith('node:'));
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}
