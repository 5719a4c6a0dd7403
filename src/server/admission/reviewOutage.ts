// Whether TokenReview is down, as the server last saw it: entered when a review fails (the API
// server is away, too slow, or RBAC is missing), left when one answers. While it lasts, reviews are
// tried at most once per `probeEveryMs` (whatever the number of agents), so a recovering API
// server is not met by every agent's token at once. Pure state; the caller logs the transitions.
export const PROBE_EVERY_MS = 5_000;

export class ReviewOutage {
  private downSince: number | undefined;
  private lastTryAt = 0;

  constructor(private readonly probeEveryMs = PROBE_EVERY_MS) {}

  get active(): boolean {
    return this.downSince !== undefined;
  }

  /** A review failed. True when this starts an outage (log it once). */
  failed(now: number): boolean {
    if (this.downSince !== undefined) return false;
    this.downSince = now;
    return true;
  }

  /** A review answered. The outage's length when this ends one (log it once), else undefined. */
  answered(now: number): number | undefined {
    const since = this.downSince;
    this.downSince = undefined;
    return since === undefined ? undefined : now - since;
  }

  /** Whether a review may be tried now: always outside an outage, once per probeEveryMs inside one. */
  mayTry(now: number): boolean {
    return this.downSince === undefined || now - this.lastTryAt >= this.probeEveryMs;
  }

  /** A review starts now (inside an outage, the next may start one probe period later). */
  trying(now: number): void {
    this.lastTryAt = now;
  }
}
