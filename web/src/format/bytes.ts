// Decimal units, as registries and `docker pull` print sizes.
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
  if (unit === 0) return `${value} B`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** Bytes per second → "12.3 MB/s"; "–" when nothing moves, so idle rows read as idle. */
export function formatRate(bytesPerSec: number | null | undefined): string {
  if (typeof bytesPerSec !== 'number' || !Number.isFinite(bytesPerSec) || bytesPerSec <= 0) return '–';
  return `${formatBytes(Math.round(bytesPerSec))}/s`;
}
