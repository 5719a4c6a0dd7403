// Parses a transfer rate setting such as `100KiB/s` (PULLTRACE_SLOW_RATE). Binary (KiB, MiB, GiB)
// and decimal (kB, MB, GB) units, with or without `/s`; a bare number is bytes per second.
import { SettingError } from './settingParsers.js';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** Bytes per second (a positive integer) from `100KiB/s`, `1.5MiB/s`, `250kB/s` or `102400`. */
export function parseByteRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?(?:\/s)?\s*$/i.exec(text);
  const unit = UNITS[(m?.[2] ?? '').toLowerCase()];
  const bytes = m && unit !== undefined ? Math.round(Number(m[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new SettingError(`"${text}" is not a rate of at least 1 byte per second (examples: 100KiB/s, 2MiB/s, 500kB/s, 102400)`);
  }
  return bytes;
}
