// The longest stretches a thread spent in one piece of work (one timer, one I/O callback, one
// immediate, with the garbage collection during it), read from a V8 CPU profile (node --cpu-prof). On a shared machine the event-loop
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
 * Stretches from `fromUs` to `toUs`, longest CPU time first. A stretch ends at an idle sample or
 * when the frame at the bottom of the stack (under the root) changes: a busy loop that runs sliced
 * work between its I/O never goes idle, but its timers and sockets get their turn between the
 * slices. Back-to-back tasks under the same bottom frame (two timers in one turn) count as one.
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
  const root = profile.nodes[0]?.id;
  const bottom = (id: number): number => {
    let below = id;
    for (let at: number | undefined = id; at !== undefined && at !== root; at = parent.get(at)) below = at;
    return below;
  };
  let current: { startUs: number; endUs: number; samples: number; bottom: number; frames: Map<string, number> } | undefined;
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
    // Garbage collection belongs to the task it interrupts.
    const under = node.callFrame.functionName === '(garbage collector)' && current ? current.bottom : bottom(node.id);
    if (current && current.bottom !== under) close();
    current ??= { startUs: at, endUs: at, samples: 0, bottom: under, frames: new Map() };
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
