// Figures as the terminal view prints them: sizes and durations by the shared rules (src/pulls),
// a bar of block characters and width-aware truncation.
import { printable } from '../common/index.js';
import { formatDuration as formatPulledDuration } from '../pulls/index.js';

export { formatBytes, formatRate } from '../pulls/index.js';

/** Seconds → "45s", "3m05s", "2h07m", "3d04h" (the shared rule, packed for columns); "–" when unknown. */
export function formatDuration(seconds: number | undefined): string {
  return formatPulledDuration(seconds, '');
}

/** "45.6%" with one decimal, clamped to 0–100. */
export function formatPercent(percent: number | undefined): string {
  // Unknown is not 0 %: a group whose size is not known yet (or a broken figure) shows a dash.
  if (percent === undefined || !Number.isFinite(percent)) return '–';
  return `${Math.max(0, Math.min(100, percent)).toFixed(1)}%`;
}

/** A bar `width` cells wide: filled cells for the done part (eighths would be finer, but not every font has them). */
export function bar(percent: number, width: number): string {
  if (width <= 0) return '';
  const value = Number.isFinite(percent) ? Math.max(0, Math.min(100, percent)) : 0;
  const filled = Math.round((value / 100) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** Cuts text to `width` columns, ending with "…" when cut. Control characters become visible escapes (`printable`). */
export function fit(text: string, width: number): string {
  const clean = printable(text);
  const chars = [...clean];
  if (chars.length <= width) return clean;
  if (width <= 0) return '';
  return `${chars.slice(0, width - 1).join('')}…`;
}

/** Pads (or cuts) to exactly `width` columns. */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = fit(text, width);
  const pad = ' '.repeat(Math.max(0, width - [...cut].length));
  return align === 'left' ? cut + pad : pad + cut;
}
