/**
 * SVG polyline points for a series of samples, scaled to the box with the largest sample at the
 * top; an all-zero series is a flat line along the bottom.
 */
export function sparklinePoints(samples: readonly number[], width: number, height: number): string {
  if (samples.length === 0) return '';
  const max = Math.max(...samples, 0);
  const step = samples.length > 1 ? width / (samples.length - 1) : 0;
  return samples
    .map((value, i) => {
      const y = max > 0 ? height - (Math.max(0, value) / max) * height : height;
      return `${round(i * step)},${round(y)}`;
    })
    .join(' ');
}

/** Appends a sample, dropping the oldest beyond `capacity`; returns a new array for React state. */
export function pushSample(samples: readonly number[], value: number, capacity: number): number[] {
  const next = samples.length >= capacity ? samples.slice(samples.length - capacity + 1) : samples.slice();
  next.push(value);
  return next;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
