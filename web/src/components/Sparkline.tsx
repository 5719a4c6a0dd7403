import { sparklinePoints } from '../state/sparkline.js';

const WIDTH = 120;
const HEIGHT = 24;

/** Aggregate throughput over the last minutes; drawn with SVG attributes only (CSP-safe). */
export function Sparkline({ samples, label }: { samples: readonly number[]; label: string }) {
  return (
    <svg className="sparkline" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} role="img" aria-label={label}>
      <polyline points={sparklinePoints(samples, WIDTH, HEIGHT)} fill="none" strokeWidth="1.5" />
    </svg>
  );
}
