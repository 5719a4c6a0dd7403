import type { LayerState, PullState } from '../state/types.js';

interface Props {
  /** undefined: not known yet (drawn empty; the text beside it says "–") */
  percent: number | undefined;
  label: string;
  status?: PullState | LayerState;
  size?: 'normal' | 'small';
}

/**
 * An accessible bar. The fill is scaled with a transform (set through React's style prop, i.e.
 * CSSOM, which the CSP allows): animating a transform needs no layout, unlike a width.
 */
export function ProgressBar({ percent, label, status = 'pulling', size = 'normal' }: Props) {
  const value = Math.max(0, Math.min(100, percent !== undefined && Number.isFinite(percent) ? percent : 0));
  return (
    <div
      className={`bar bar-${size} bar-${status}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(value * 10) / 10}
    >
      <div className="bar-fill" style={{ transform: `scaleX(${value / 100})` }} />
    </div>
  );
}
