/** 42.345 → "42.3%", 100 → "100%"; "–" for a value that is not a number (a broken or hostile server). */
export function formatPercent(percent: number | null | undefined): string {
  if (typeof percent !== 'number' || !Number.isFinite(percent)) return '–';
  const p = Math.max(0, Math.min(100, percent));
  return `${p.toFixed(p < 100 ? 1 : 0)}%`;
}
