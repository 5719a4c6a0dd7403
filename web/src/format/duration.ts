/** Seconds → "45s", "3m 05s", "2h 07m"; "–" when unknown. */
export function formatDuration(seconds: number | undefined | null): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad2(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${pad2(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${pad2(h % 24)}h`;
}

/** Seconds between two RFC 3339 times (end defaults to `nowMs`); undefined if a time is missing or bad. */
export function secondsBetween(start: string | undefined | null, end: string | undefined | null, nowMs: number): number | undefined {
  if (!start) return undefined;
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : nowMs;
  if (Number.isNaN(from) || Number.isNaN(to)) return undefined;
  return Math.max(0, (to - from) / 1000);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
