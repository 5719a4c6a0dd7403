import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on every Linux this runs on). */
export const CLOCK_TICKS_PER_SEC = 100;

/** utime + stime of a process, in seconds, from the text of /proc/<pid>/stat. */
export function cpuSecondsFromStat(statText: string): number {
  // The command name (field 2) is in parentheses and may contain spaces; fields after it are fixed.
  const rest = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]); // field 14
  const stime = Number(rest[12]); // field 15
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot read utime/stime from: ${statText.slice(0, 120)}`);
  return (utime + stime) / CLOCK_TICKS_PER_SEC;
}

/** A "Vm…:   1234 kB" value from /proc/<pid>/status, in bytes. */
export function statusKiB(statusText: string, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(statusText);
  if (!match) throw new Error(`no ${field} in /proc status`);
  return Number(match[1]) * 1024;
}

export function processCpuSeconds(pid: number): number {
  return cpuSecondsFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

export function processMemory(pid: number): { rss: number; peakRss: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: statusKiB(text, 'VmRSS'), peakRss: statusKiB(text, 'VmHWM') };
}
