// The end-to-end stack for agent scenarios: a registry, a private containerd, a throttling proxy
// between them, and a real `pulltrace standalone` reading that containerd. Everything is ended by
// PID through one ProcessGroup, also when a test fails.
import type { PullStatus } from '../../src/model/index.js';
import {
  type ContainerdHandle,
  type ContainerdSeries,
  ProcessGroup,
  type RegistryHandle,
  startContainerd,
  startRegistry,
  startThrottleProxy,
  type ThrottleProxy,
  waitFor,
} from './harness/index.js';
import { type PulltraceProcess, startPulltrace, TEST_SERVER_FLAGS } from './pulltraceProcess.js';
import { MiB } from './reports.js';

/** Slow enough that a pull spans several 1 s reports, fast enough to keep the suite short. */
export const RATE = 2 * MiB;

export interface Stack {
  group: ProcessGroup;
  registry: RegistryHandle;
  containerd: ContainerdHandle;
  proxy: ThrottleProxy;
  pulltrace: PulltraceProcess;
}

export interface StackOptions {
  /** extra flags for `pulltrace standalone` */
  flags?: string[];
  /** extra environment for `pulltrace standalone` */
  env?: NodeJS.ProcessEnv;
  rate?: number;
  /** keep containerd's CRI plugin, for pulls the way the kubelet makes them (containerd.criPull) */
  cri?: boolean;
  /** which containerd (default Debian's 1.6) */
  series?: ContainerdSeries;
}

/** `t` is a test's context, or anything with an `after` hook (a suite's `after` from node:test). */
export async function startStack(t: { after(fn: () => unknown): void }, opts: StackOptions = {}): Promise<Stack> {
  const group = new ProcessGroup();
  t.after(() => group.close());
  const registry = group.track(await startRegistry(), 'registry');
  const containerd = group.track(await startContainerd({ cri: opts.cri, series: opts.series }), 'containerd');
  const proxy = group.track(
    await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: opts.rate ?? RATE }),
    'proxy',
  );
  const pulltrace = group.track(
    await startPulltrace(
      ['standalone', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--containerd-socket', containerd.socket, ...(opts.flags ?? [])],
      opts.env ? { env: opts.env } : {},
    ),
    'pulltrace',
  );
  // The in-process agent starts right after the server: pulls begun before it polls would be missed.
  await waitFor(() => pulltrace.logs().some((l) => l.component === 'agent' && l.msg === 'agent reporting'), {
    timeoutMs: 15_000,
    what: 'the standalone agent to start polling',
  });
  return { group, registry, containerd, proxy, pulltrace };
}

export async function getPulls(baseUrl: string): Promise<PullStatus[]> {
  const res = await fetch(`${baseUrl}/api/v1/pulls`);
  if (!res.ok) throw new Error(`GET /api/v1/pulls: HTTP ${res.status}`);
  return ((await res.json()) as { pulls: PullStatus[] }).pulls;
}

/** Waits until a pull matching `pred` is listed; returns it. */
export function waitForPull(baseUrl: string, pred: (p: PullStatus) => boolean, what: string, timeoutMs = 30_000): Promise<PullStatus> {
  return waitFor(async () => (await getPulls(baseUrl)).find(pred), { timeoutMs, what, intervalMs: 100 });
}

/** Records every /api/v1/pulls answer (each 100 ms) until stopped: what a user polling the API saw. */
export class PullsRecorder {
  readonly snapshots: Array<{ at: number; pulls: PullStatus[] }> = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly baseUrl: string) {
    this.timer = setInterval(() => void this.take(), 100);
  }

  /** Every observation of one manifest's pull(s), in time order. */
  of(manifestDigest: string): PullStatus[] {
    return this.snapshots.flatMap((s) => s.pulls.filter((p) => p.manifestDigest === manifestDigest));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async take(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      this.snapshots.push({ at: Date.now(), pulls: await getPulls(this.baseUrl) });
    } catch {
      // the server is being stopped; the test asserts on what was seen
    } finally {
      this.busy = false;
    }
  }
}

/** Pull ids seen for one manifest (a scenario expects exactly one pull per image). */
export const idsOf = (seen: PullStatus[]) => [...new Set(seen.map((p) => p.id))];
