// The load generator, run as its own process (forked by bench/ingest.ts) so its CPU does not
// count as the server's. Simulated nodes post full reports every second, each over its own
// keep-alive socket as a real agent does, written raw (rawHttpClient.ts) so the generator stays
// cheap next to the server it measures. With several servers (replicas) each node reports to one
// of them (node i to server i mod n), as agents behind a Service each keep one connection.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { nodeName, SimulatedNode } from './nodeSimulator.js';
import { percentile } from './percentile.js';
import { KeepAliveConnection } from './rawHttpClient.js';

export interface LoadConfig {
  port: number;
  /** several servers (replicas): node i reports to ports[i mod n]; `port` is then ports[0] */
  ports?: number[];
  nodes: number;
  seconds: number;
  warmupSeconds: number;
  /** share of nodes with one 8-layer pull going at all times (a rollout); unset: the busy-cluster mix */
  pullingShare?: number;
}

export interface LoadResult {
  /** seconds of the measured window (after warm-up) */
  windowSeconds: number;
  /** requests sent within the window */
  sent: number;
  ok: number;
  /** non-200 answers by status code, and client-side failures by error code */
  failures: Record<string, number>;
  /** ms over every request sent within the window that got an answer */
  latencyMs: { count: number; p50: number; p90: number; p99: number; max: number };
  /** reports not sent because the node's previous report was still unanswered */
  skippedInFlight: number;
  meanBodyBytes: number;
  clientCpuShare: number;
  /** the load process's own event-loop delay (ms): high values mean the client, not the server, added latency */
  clientLoopDelayMs: { p99: number; max: number };
  /** per server, in the order of `ports` (one entry with a single server) */
  byTarget: Array<{ port: number; sent: number; ok: number; latencyMs: LoadResult['latencyMs'] }>;
}

export type LoadMessage = { type: 'window-start' } | { type: 'window-end' } | { type: 'result'; result: LoadResult };

const REPORT_INTERVAL_MS = 1000;
const REQUEST_TIMEOUT_MS = 10_000;
const DRAIN_TIMEOUT_MS = 12_000;

export async function runLoad(config: LoadConfig, notify: (m: LoadMessage) => void): Promise<LoadResult> {
  const t0 = performance.now();
  const wallStart = Date.now();
  const nodes = Array.from(
    { length: config.nodes },
    (_, i) => new SimulatedNode(nodeName(i), i + 1, wallStart, { pullingShare: config.pullingShare }),
  );
  const ports = config.ports && config.ports.length > 0 ? config.ports : [config.port];
  const target = (i: number) => i % ports.length;
  const connections = Array.from({ length: config.nodes }, (_, i) => new KeepAliveConnection(ports[target(i)]!, '/api/v1/report'));
  const perTarget = ports.map((port) => ({ port, sent: 0, ok: 0, latencies: [] as number[] }));
  const inFlight = new Uint8Array(config.nodes);
  // Nodes are staggered evenly over the interval, as independent agents would be.
  const due = Float64Array.from({ length: config.nodes }, (_, i) => t0 + (i * REPORT_INTERVAL_MS) / config.nodes);
  const windowStart = t0 + config.warmupSeconds * 1000;
  const windowEnd = t0 + config.seconds * 1000;

  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let sent = 0;
  let ok = 0;
  let skippedInFlight = 0;
  let bodyBytes = 0;
  let outstanding = 0;
  let drained: (() => void) | undefined;
  let cpuAtWindowStart: NodeJS.CpuUsage | undefined;
  let cpuInWindow: NodeJS.CpuUsage | undefined;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });

  const post = (index: number, startedAt: number) => {
    const body = JSON.stringify(nodes[index]!.report(Date.now()));
    const inWindow = startedAt >= windowStart;
    const mine = perTarget[target(index)]!;
    if (inWindow) {
      sent++;
      mine.sent++;
      bodyBytes += Buffer.byteLength(body);
    }
    inFlight[index] = 1;
    outstanding++;
    const finish = (outcome: string | number) => {
      inFlight[index] = 0;
      outstanding--;
      if (inWindow) {
        if (outcome === 200) {
          ok++;
          mine.ok++;
        } else failures[String(outcome)] = (failures[String(outcome)] ?? 0) + 1;
        if (typeof outcome === 'number') {
          const ms = performance.now() - startedAt;
          latencies.push(ms);
          mine.latencies.push(ms);
        }
      }
      if (outstanding === 0) drained?.();
    };
    connections[index]!.post(body, REQUEST_TIMEOUT_MS).then(finish);
  };

  // Round-robin over nodes in due order: every node has the same period, so the order never changes.
  let next = 0;
  await new Promise<void>((resolve) => {
    let windowStarted = false;
    const tick = () => {
      const now = performance.now();
      if (!windowStarted && now >= windowStart) {
        windowStarted = true;
        cpuAtWindowStart = process.cpuUsage();
        loopDelay.enable();
        notify({ type: 'window-start' });
      }
      if (now >= windowEnd) {
        cpuInWindow = process.cpuUsage(cpuAtWindowStart);
        loopDelay.disable();
        notify({ type: 'window-end' });
        resolve();
        return;
      }
      while (due[next]! <= now) {
        const scheduled = due[next]!;
        due[next] = scheduled + REPORT_INTERVAL_MS;
        if (inFlight[next]) skippedInFlight += scheduled >= windowStart ? 1 : 0;
        else post(next, performance.now());
        next = (next + 1) % config.nodes;
      }
      setTimeout(tick, 2);
    };
    tick();
  });

  // Let the answers to requests already sent arrive (bounded), then stop.
  if (outstanding > 0) {
    await new Promise<void>((resolve) => {
      drained = resolve;
      setTimeout(resolve, DRAIN_TIMEOUT_MS).unref();
    });
  }
  if (outstanding > 0) failures['unanswered-at-end'] = outstanding;
  for (const c of connections) c.close();

  const windowSeconds = (windowEnd - windowStart) / 1000;
  const cpu = cpuInWindow ?? { user: 0, system: 0 };
  return {
    windowSeconds,
    sent,
    ok,
    failures,
    latencyMs: latencySummary(latencies),
    skippedInFlight,
    meanBodyBytes: sent ? bodyBytes / sent : 0,
    clientCpuShare: (cpu.user + cpu.system) / 1e6 / windowSeconds,
    clientLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    byTarget: perTarget.map((t) => ({ port: t.port, sent: t.sent, ok: t.ok, latencyMs: latencySummary(t.latencies) })),
  };
}

function latencySummary(values: number[]): LoadResult['latencyMs'] {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: percentile(sorted, 100),
  };
}

// Run as a forked child: config in argv[2], results over IPC.
if (process.send && process.argv[2]) {
  const config = JSON.parse(process.argv[2]) as LoadConfig;
  const send = (m: LoadMessage) => process.send?.(m);
  runLoad(config, send)
    .then((result) => {
      send({ type: 'result', result });
      process.disconnect?.();
    })
    .catch((err: unknown) => {
      console.error('load process failed:', err);
      process.exit(1);
    });
}
