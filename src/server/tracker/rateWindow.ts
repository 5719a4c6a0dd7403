// Speed over a sliding window of (time, counter) samples. The counter never decreases, so a
// pull's speed is unaffected by other pulls finishing (the original's speed-drops-to-zero bug
// came from deriving speed from merged, shrinking totals).

export const RATE_WINDOW_MS = 8_000;

interface Sample {
  t: number;
  bytes: number;
}

export class RateWindow {
  private samples: Sample[] = [];

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  /** Records the counter at time t (ms). Samples must come in time order. */
  add(t: number, bytes: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && t <= last.t) {
      last.bytes = Math.max(last.bytes, bytes);
      return;
    }
    this.samples.push({ t, bytes });
    // Keep one sample at or before the window start so the window is always fully covered.
    const start = t - this.windowMs;
    while (this.samples.length > 2 && (this.samples[1] as Sample).t <= start) this.samples.shift();
  }

  /** Bytes per second over the window ending at `now`; 0 with fewer than two samples or no progress. */
  rate(now: number): number {
    const last = this.samples[this.samples.length - 1];
    const first = this.samples[0];
    if (!last || !first || last === first) return 0;
    // Past the window with no new sample, the speed is stale: report 0 instead of the last value.
    if (now - last.t > this.windowMs) return 0;
    const start = Math.max(first.t, last.t - this.windowMs);
    const baseBytes = first.t >= start ? first.bytes : interpolate(this.samples, start);
    const span = (last.t - start) / 1000;
    return span > 0 ? Math.max(0, (last.bytes - baseBytes) / span) : 0;
  }
}

/**
 * The rate of something that stopped (a finished pull and its layers): always 0, keeps no samples.
 * One shared instance, so a finished pull kept for HISTORY_TTL holds no sample arrays.
 */
class StoppedRate extends RateWindow {
  override add(): void {}
  override rate(): number {
    return 0;
  }
}
export const STOPPED_RATE: RateWindow = new StoppedRate();

function interpolate(samples: Sample[], t: number): number {
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1] as Sample;
    const b = samples[i] as Sample;
    if (b.t >= t) return a.bytes + ((b.bytes - a.bytes) * (t - a.t)) / (b.t - a.t);
  }
  return (samples[samples.length - 1] as Sample).bytes;
}

/** Seconds left at the current speed; undefined when unknown (no speed or unknown total). */
export function etaSeconds(remainingBytes: number, bytesPerSec: number, totalKnown: boolean): number | undefined {
  if (!totalKnown || bytesPerSec <= 0 || remainingBytes < 0) return undefined;
  return Math.round((remainingBytes / bytesPerSec) * 10) / 10;
}
