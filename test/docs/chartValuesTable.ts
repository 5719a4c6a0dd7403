// Which values.yaml keys the chart README's values table documents. A row's first cell names
// one key or several: `a.b.c` is a full path (`a.b.*` means `a.b`); a bare word after a full path
// is a sibling of the key before it (`server.persistence.size` / `storageClass`), and a bare word
// first in the cell is a top-level key (`nameOverride`, `fullnameOverride`).
// The rule the docs test holds the table to: every leaf key of values.yaml is listed, or one of its
// parents below the top level is (`server.resources` documents `server.resources.requests.cpu`);
// and every key listed exists in values.yaml.

/** The full key paths named by one first cell of the values table. */
export function keysOfCell(cell: string): string[] {
  const names = [...cell.matchAll(/`([^`]+)`/g)].map((m) => (m[1] as string).replace(/\.\*$/, ''));
  const keys: string[] = [];
  for (const name of names) {
    const previous = keys.at(-1);
    if (name.includes('.') || previous === undefined) keys.push(name);
    else keys.push([...previous.split('.').slice(0, -1), name].join('.'));
  }
  return keys;
}

/** Every key path of a parsed values.yaml, with whether it is a leaf (not a non-empty map). */
export function valueKeys(values: unknown, prefix = ''): Array<{ path: string; leaf: boolean }> {
  if (!values || typeof values !== 'object' || Array.isArray(values)) return [];
  return Object.entries(values as Record<string, unknown>).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    const children = valueKeys(v, path);
    return [{ path, leaf: children.length === 0 }, ...children];
  });
}

/** Leaf keys of values.yaml that neither the table nor a documented parent (below the top level) covers. */
export function undocumentedKeys(values: unknown, documented: Iterable<string>): string[] {
  const listed = new Set(documented);
  return valueKeys(values)
    .filter((k) => k.leaf)
    .map((k) => k.path)
    .filter((path) => {
      const parts = path.split('.');
      for (let depth = parts.length; depth >= 2; depth--) if (listed.has(parts.slice(0, depth).join('.'))) return false;
      return !listed.has(path);
    });
}
