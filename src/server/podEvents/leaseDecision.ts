// Who writes the Events when replicas run: the holder of a coordination.k8s.io/v1 Lease. Like
// client-go's leader election, expiry is judged by this replica's own clock from when it last saw
// the lease change (never by comparing clocks across machines).

export interface LeaseView {
  holder: string;
  /** the lease's renewTime as written (a change of it means the holder is alive) */
  renewTime: string;
  resourceVersion: string;
}

export interface Observed {
  holder: string;
  renewTime: string;
  /** when this replica saw that holder/renewTime first */
  at: number;
}

export type LeaseAction = 'create' | 'renew' | 'takeover' | 'wait';

/** What to do with the lease as read at `now` (undefined: none exists). */
export function leaseAction(
  lease: LeaseView | undefined,
  me: string,
  observed: Observed | undefined,
  now: number,
  durationMs: number,
): LeaseAction {
  if (!lease) return 'create';
  if (lease.holder === me) return 'renew';
  if (lease.holder === '') return 'takeover'; // released by a holder that stopped
  const seenSince = observed && observed.holder === lease.holder && observed.renewTime === lease.renewTime ? observed.at : now;
  return now - seenSince >= durationMs ? 'takeover' : 'wait';
}

/** The observation after reading `lease` at `now`. */
export function observe(lease: LeaseView | undefined, observed: Observed | undefined, now: number): Observed | undefined {
  if (!lease) return undefined;
  if (observed && observed.holder === lease.holder && observed.renewTime === lease.renewTime) return observed;
  return { holder: lease.holder, renewTime: lease.renewTime, at: now };
}
