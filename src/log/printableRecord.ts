// A log record made safe for the text format: every string in it, keys too, through `printable`
// (control characters become visible escapes), so an image name or error from the cluster cannot
// drive the terminal reading the log. JSON logs need none of this: JSON escapes control characters.
import { printable } from '../common/index.js';

const MAX_DEPTH = 20;

export function printableRecord(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return printable(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => printableRecord(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    // A stack trace keeps its lines (pino-pretty indents them); each line is made printable.
    out[printable(key)] =
      key === 'stack' && typeof v === 'string' ? v.split('\n').map(printable).join('\n') : printableRecord(v, depth + 1);
  }
  return out;
}
