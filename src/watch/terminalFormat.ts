// Figures as the terminal view prints them: decimal units like registries and `docker pull`,
// short durations, a bar of block characters and width-aware truncation.
import { printable } from '../common/index.js';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** 1234567 → "1.23 MB"; "–" for nonsense. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '–';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** "12.3 MB/s"; "–" when nothing moves. */
export function formatRate(bytesPerSec: number | undefined): string {
  if (bytesPerSec === undefined || !Number.isFinite(bytesPerSec) || bytesPerSec <= 0) return '–';
  return `${formatBytes(Math.round(bytesPerSec))}/s`;
}

/** Seconds → "45s", "3m05s", "2h07m", "3d04h"; "–" when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${pad2(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${pad2(m % 60)}m`;
  return `${Math.floor(h / 24)}d${pad2(h % 24)}h`;
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

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
