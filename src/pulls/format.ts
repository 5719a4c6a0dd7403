// Figures as people read them, in the web UI and the terminal alike: decimal units like registries
// and `docker pull`, and short durations. "–" stands for a value that is missing or nonsense.

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** 1234567 → "1.23 MB"; three significant figures keep columns narrow without hiding progress. */
export function formatBytes(bytes: number | null | undefined): string {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) return '–';
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

/** Bytes per second → "12.3 MB/s"; "–" when nothing moves, so idle rows read as idle. */
export function formatRate(bytesPerSec: number | null | undefined): string {
  if (typeof bytesPerSec !== 'number' || !Number.isFinite(bytesPerSec) || bytesPerSec <= 0) return '–';
  return `${formatBytes(Math.round(bytesPerSec))}/s`;
}

/**
 * Seconds → "45s", "3m 05s", "2h 07m", "3d 04h"; "–" when unknown. `separator` goes between the two
 * units (the terminal packs them: "3m05s").
 */
export function formatDuration(seconds: number | null | undefined, separator = ' '): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${separator}${pad2(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${separator}${pad2(m % 60)}m`;
  return `${Math.floor(h / 24)}d${separator}${pad2(h % 24)}h`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
