import type { PullState } from '../state/types.js';

/** Colour and text together, so the state reads without colour vision. */
export function StatusBadge({ status }: { status: PullState }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}
