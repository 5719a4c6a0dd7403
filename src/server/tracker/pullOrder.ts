// The order live pulls are served in: newest start first, then id. A pull's start time and id never
// change, so a page after a position neither repeats nor skips a pull that was there the whole
// time, however the others change, start or leave meanwhile.

/** A pull's place in the order (also what a /api/v1/pulls cursor holds). */
export interface PullOrderKey {
  /** the pull's startedAt, ms */
  startedAt: number;
  id: string;
}

/** Negative when `a` comes before `b` (startedAt desc, id desc). */
export function comparePullOrder(a: PullOrderKey, b: PullOrderKey): number {
  if (a.startedAt !== b.startedAt) return b.startedAt - a.startedAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
