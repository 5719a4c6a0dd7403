// Small readers for the docs' Markdown: table rows, links, headings and fenced code blocks.

/** Cells of every table row (header and separator rows included), trimmed. */
export function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => /^\|.*\|\s*$/.test(line.trim()))
    .map((line) =>
      line
        .trim()
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

/** Targets of inline links `[text](target)`, outside code blocks. */
export function links(markdown: string): string[] {
  const text = markdown.replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export function anchors(markdown: string): Set<string> {
  const text = markdown.replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug((m[1] as string).replace(/`/g, ''))));
}

export interface CodeBlock {
  lang: string;
  body: string;
}

export function codeBlocks(markdown: string): CodeBlock[] {
  return [...markdown.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1] as string, body: m[2] as string }));
}

export function stripTicks(cell: string): string {
  return cell.replace(/`/g, '').trim();
}

export interface TableBlock {
  /** 1-based line number of the table's first row */
  line: number;
  rows: string[];
}

/** Tables outside fenced code blocks: runs of consecutive lines that start and end with `|`. */
export function tableBlocks(markdown: string): TableBlock[] {
  const blocks: TableBlock[] = [];
  let fenced = false;
  let current: TableBlock | undefined;
  markdown.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('```')) fenced = !fenced;
    if (!fenced && /^\|.*\|$/.test(line)) {
      if (!current) {
        current = { line: i + 1, rows: [] };
        blocks.push(current);
      }
      current.rows.push(line);
    } else current = undefined;
  });
  return blocks;
}

/** A table's delimiter row: `|---|:--:|` (dashes, optional colons, nothing else). */
export function isDelimiterRow(row: string): boolean {
  return /^\|(\s*:?-+:?\s*\|)+$/.test(row.trim());
}

/** What is wrong with a table's shape: it needs exactly one delimiter row, directly under the header. */
export function tableShapeProblem(table: TableBlock): string | undefined {
  const delimiters = table.rows.flatMap((row, i) => (isDelimiterRow(row) ? [i] : []));
  if (delimiters[0] !== 1) return `table at line ${table.line}: the second row must be its only delimiter row (|---|)`;
  if (delimiters.length > 1) return `table at line ${table.line}: a second delimiter row at line ${table.line + (delimiters[1] as number)}`;
  return undefined;
}
