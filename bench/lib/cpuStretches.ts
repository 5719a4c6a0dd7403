// The longest stretches a thread spent running JavaScript (or collecting garbage) without once
// going idle, read from a V8 CPU profile (node --cpu-prof). On a shared machine the event-loop
// delay the server reports is mostly time the OS gave to other processes; a profile samples only
// while the thread runs (a descheduled thread takes its next sample late, as one sample), so
// samples × the sampling interval is the CPU time of a stretch, whatever the load.

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  /** µs, on the machine's monotonic clock (process.hrtime) */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface CpuStretch {
  /** µs on the monotonic clock when its first sample was taken */
  startUs: number;
  /** samples × the median sampling interval */
  cpuMs: number;
  /** first to last sample, including time the OS ran other processes */
  wallMs: number;
  /** the functions most often on the stack during the stretch, with their share in ms */
  top: Array<{ frame: string; ms: number }>;
}

const IDLE = new Set(['(idle)', '(program)']);
/** Frames every stretch has on its stack: not worth naming. */
const PLUMBING = /^(\(root\)|processTicksAndRejections|runMicrotasks|listOnTimeout|processTimers|processImmediate) /;

function frameName(node: CpuProfile['nodes'][number]): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
}

/**
 * Stretches of samples between idle ones, from `fromUs` to `toUs`, longest CPU time first. A
 * stretch may hold several event-loop tasks run back to back; that is what a timer or a socket
 * waiting behind them sees.
 */
export function cpuStretches(
  profile: CpuProfile,
  fromUs = Number.NEGATIVE_INFINITY,
  toUs = Number.POSITIVE_INFINITY,
  topFrames = 5,
): CpuStretch[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const deltas = [...profile.timeDeltas].sort((a, b) => a - b);
  const intervalMs = (deltas[Math.floor(deltas.length / 2)] ?? 0) / 1000;

  const stretches: CpuStretch[] = [];
  let current: { startUs: number; endUs: number; samples: number; frames: Map<string, number> } | undefined;
  const close = () => {
    if (!current) return;
    const top = [...current.frames]
      .filter(([frame]) => !PLUMBING.test(frame))
      .sort((a, b) => b[1] - a[1])
      .slice(0, topFrames)
      .map(([frame, n]) => ({ frame, ms: n * intervalMs }));
    stretches.push({
      startUs: current.startUs,
      cpuMs: current.samples * intervalMs,
      wallMs: (current.endUs - current.startUs) / 1000,
      top,
    });
    current = undefined;
  };
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromUs || at > toUs) continue;
    const node = byId.get(profile.samples[i] as number);
    if (!node || IDLE.has(node.callFrame.functionName)) {
      close();
      continue;
    }
    current ??= { startUs: at, endUs: at, samples: 0, frames: new Map() };
    current.endUs = at;
    current.samples++;
    // Each frame counted once per sample, however deep the recursion.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = frameName(byId.get(id) as CpuProfile['nodes'][number]);
      if (seen.has(frame)) continue;
      seen.add(frame);
      current.frames.set(frame, (current.frames.get(frame) ?? 0) + 1);
    }
  }
  close();
  return stretches.sort((a, b) => b.cpuMs - a.cpuMs);
}
