// A line as coloured pieces, so it can be cut to the terminal's width before colours are added
// (cutting a string with escape codes in it would break them).
import { printable } from '../common/index.js';
import type { Colors } from './colors.js';

export type Style = keyof Colors | undefined;
export type Segment = readonly [text: string, style?: Style];

/** Joins pieces, cut to `width` columns (with "…") when given, colouring each piece. */
export function paint(segments: readonly Segment[], colors: Colors, width = Number.POSITIVE_INFINITY): string {
  let left = width;
  let out = '';
  for (let i = 0; i < segments.length && left > 0; i++) {
    const [raw, style] = segments[i] as Segment;
    const text = printable(raw);
    const chars = [...text];
    let piece = text;
    if (chars.length > left || (chars.length === left && i < segments.length - 1 && hasText(segments, i + 1))) {
      piece = `${chars.slice(0, Math.max(0, left - 1)).join('')}…`;
      left = 0;
    } else {
      left -= chars.length;
    }
    out += style ? colors[style](piece) : piece;
  }
  return out;
}

function hasText(segments: readonly Segment[], from: number): boolean {
  for (let i = from; i < segments.length; i++) if ((segments[i] as Segment)[0].length > 0) return true;
  return false;
}
