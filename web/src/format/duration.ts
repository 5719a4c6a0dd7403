/** Seconds between two RFC 3339 times (end defaults to `nowMs`); undefined if a time is missing or bad. */
export function secondsBetween(start: string | undefined | null, end: string | undefined | null, nowMs: number): number | undefined {
  if (!start) return undefined;
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : nowMs;
  if (Number.isNaN(from) || Number.isNaN(to)) return undefined;
  return Math.max(0, (to - from) / 1000);
}
