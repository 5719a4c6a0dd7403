// Agent benchmark (npm run bench:agent): the cost of `pulltrace agent` on a node with ~30 active
// ingests, and its effect on pull time, in one run against a real containerd.
//
// 1. Load: 10 concurrent throttled pulls × 3 layers (≈30 ingests). The agent runs as its own process
//    (compiled dist/ when it builds, as in production); after a warm-up and the discovery of the new
//    pulls, its CPU (utime+stime from /proc) and RSS are sampled over a window in which ≥ 25 ingests
//    are active → CPU per poll, share of one core, RSS.
// 2. Idle: once those pulls are done, the agent polls a containerd with nothing being pulled; its
//    CPU and RSS over a window of the same length.
//    Idle and load are measured once per NODE_OPTIONS variant (--node-options), in the same run, so
//    V8 flags can be compared on the same (noisy) machine: by default without flags and with the
//    chart's agent.nodeOptions (charts/pulltrace/values.yaml), or the low-memory flags it documents.
//    A value that starts with '--' is given as --node-options=… (node:util parseArgs).
// 3. Overhead: the same fixed set of pulls (fresh images each round, same sizes) timed with and
//    without the agent running (last variant), alternating rounds → ratio with ÷ without.
//
//   npm run bench:agent                       # defaults below
//   npm run bench:agent -- --interval 1s --rounds 3
//   npm run bench:agent -- --node-options ';--max-semi-space-size=1'   # variants, ';'-separated
//   npm run bench:agent -- --cpu-prof /tmp/agent-prof                  # V8 CPU profile of each agent
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { ContainerdClient } from '../src/agent/containerd/client.js';
import { parseDurationSetting } from '../src/config/index.js';
import {
  type BuiltImage,
  buildAndPushImage,
  type ContainerdHandle,
  imageRef,
  type ManagedProcess,
  ProcessGroup,
  StopWaiting,
  startContainerd,
  startRegistry,
  startThrottleProxy,
  type ThrottleProxy,
  waitFor,
} from '../test/kit/index.js';
import { processCpuSeconds, processMemory } from './lib/procStats.js';

const MiB = 1 << 20;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Options {
  intervalMs: number;
  pulls: number;
  layers: number;
  layerMiB: number;
  loadRate: number;
  windowSeconds: number;
  rounds: number;
  roundRate: number;
  nodeOptions: string[];
  cpuProfDir: string | undefined;
}

/** The flags the chart documents for clusters short of memory (compared when the chart sets none). */
const LOW_MEMORY_NODE_OPTIONS = '--jitless --max-semi-space-size=1';
/** What the chart's agent DaemonSet puts in NODE_OPTIONS, read from the chart so the two cannot differ. */
const AGENT_NODE_OPTIONS: string =
  parseYaml(readFileSync(fileURLToPath(new URL('../charts/pulltrace/values.yaml', import.meta.url)), 'utf8')).agent.nodeOptions ?? '';

function options(): Options {
  const { values } = parseArgs({
    options: {
      interval: { type: 'string', default: '1s' },
      pulls: { type: 'string', default: '10' },
      layers: { type: 'string', default: '3' },
      'layer-mib': { type: 'string', default: '3' },
      'load-rate-mib': { type: 'string', default: '4' },
      window: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '3' },
      'round-rate-mib': { type: 'string', default: '16' },
      'node-options': { type: 'string', default: `;${AGENT_NODE_OPTIONS || LOW_MEMORY_NODE_OPTIONS}` },
      'cpu-prof': { type: 'string' },
    },
  });
  return {
    intervalMs: parseDurationSetting(values.interval, 50),
    pulls: Number(values.pulls),
    layers: Number(values.layers),
    layerMiB: Number(values['layer-mib']),
    loadRate: Number(values['load-rate-mib']) * MiB,
    windowSeconds: Number(values.window),
    rounds: Number(values.rounds),
    roundRate: Number(values['round-rate-mib']) * MiB,
    nodeOptions: values['node-options'].split(';').map((v) => v.trim()),
    cpuProfDir: values['cpu-prof'],
  };
}

interface AgentCommand {
  argv: string[];
  /** NODE_OPTIONS for the agent process (V8 flags), '' for none */
  nodeOptions: string;
  how: string;
}

/** `bin/pulltrace agent` from the compiled dist/ (production) when the build succeeds, else from source with tsx. */
function agentCommands(o: Options): AgentCommand[] {
  const build = spawnSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${ROOT}tsconfig.build.json`], {
    encoding: 'utf8',
  });
  const prof = o.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir] : [];
  if (build.status === 0 && existsSync(`${ROOT}dist/cli/main.js`)) {
    return o.nodeOptions.map((nodeOptions) => ({
      argv: [...prof, `${ROOT}bin/pulltrace`, 'agent'],
      nodeOptions,
      how: `\`pulltrace agent\` (compiled dist/, as installed), NODE_OPTIONS=${nodeOptions ? `"${nodeOptions}"` : '(none)'}`,
    }));
  }
  console.log(`note: build failed, running the agent from source with tsx (adds memory):\n${build.stdout.slice(0, 500)}`);
  return [
    {
      argv: [...prof, '--import', 'tsx', `${ROOT}test/kit/cli.ts`, 'agent'],
      nodeOptions: '',
      how: '`pulltrace agent` from source (tsx)',
    },
  ];
}

async function reportSink(): Promise<{ url: string; reports: () => number; close: () => void }> {
  let count = 0;
  const srv = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.setHeader('content-type', 'application/json');
      res.end('{"accepted":true}');
    });
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, reports: () => count, close: () => srv.close() };
}

async function buildImages(registryHost: string, prefix: string, o: Options): Promise<BuiltImage[]> {
  const out: BuiltImage[] = [];
  for (let i = 0; i < o.pulls; i++) {
    const layers = Array.from({ length: o.layers }, () => ({ size: o.layerMiB * MiB }));
    out.push(await buildAndPushImage(registryHost, { repository: `bench/${prefix}-${i}`, tag: 'v1', layers }));
  }
  return out;
}

async function pullAll(containerd: ContainerdHandle, proxy: ThrottleProxy, images: BuiltImage[]): Promise<number> {
  const started = performance.now();
  const results = await Promise.all(images.map((img) => containerd.startPull(imageRef(proxy.host, img)).done));
  const failed = results.find((r) => r.code !== 0);
  if (failed) throw new Error(`a pull failed: ${failed.stderr}`);
  return (performance.now() - started) / 1000;
}

interface LoadFigures {
  how: string;
  idle: { wall: number; polls: number; cpu: number; rssMax: number };
  wall: number;
  polls: number;
  cpu: number;
  rssMax: number;
  peakRss: number;
  activeMin: number;
  activeMean: number;
  loadSeconds: number;
}

async function main(): Promise<void> {
  const o = options();
  const group = new ProcessGroup();
  const sink = await reportSink();
  try {
    const commands = agentCommands(o);
    const registry = group.track(await startRegistry(), 'registry');
    const containerd = group.track(await startContainerd(), 'containerd');
    const proxy = group.track(await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: o.loadRate }), 'proxy');
    const probe = new ContainerdClient(containerd.socket, 'k8s.io');

    const startAgent = async (command: AgentCommand): Promise<ManagedProcess> => {
      const proc = group.start(process.execPath, command.argv, {
        name: 'pulltrace agent',
        env: {
          ...process.env,
          NODE_OPTIONS: command.nodeOptions,
          PULLTRACE_SERVER_URL: sink.url,
          PULLTRACE_CONTAINERD_SOCKET: containerd.socket,
          PULLTRACE_NODE_NAME: 'bench-node',
          PULLTRACE_REPORT_INTERVAL: `${o.intervalMs}ms`,
          PULLTRACE_LOG_LEVEL: 'info',
        },
      });
      await waitFor(
        () => {
          if (!proc.running) throw new StopWaiting(`the agent exited: ${proc.stdout()}${proc.stderr()}`);
          return proc.stdout().includes('"agent reporting"');
        },
        { timeoutMs: 30_000, what: 'the agent to start polling' },
      );
      return proc;
    };

    // 1. Load phase, once per way of running the agent.
    const loads: LoadFigures[] = [];
    for (const [i, command] of commands.entries()) {
      console.log(`load phase ${i + 1}/${commands.length}: building ${o.pulls} images × ${o.layers} layers × ${o.layerMiB} MiB…`);
      const images = await buildImages(registry.host, `load${i}`, o);
      proxy.setRate(o.loadRate);
      const proc = await startAgent(command);
      // Steady state, not start-up: let module loading's garbage and JIT warm-up pass first…
      await new Promise((r) => setTimeout(r, 5_000));
      const loadDone = pullAll(containerd, proxy, images);
      const ingestTarget = Math.min(25, o.pulls * o.layers - 2);
      await waitFor(async () => (await probe.listIngests()).length >= ingestTarget, {
        timeoutMs: 60_000,
        what: `${ingestTarget} active ingests`,
      });
      // …and the one-off discovery of the new pulls.
      await new Promise((r) => setTimeout(r, 2 * o.intervalMs));
      const counts: number[] = [];
      const { wall, cpu, polls, rssMax } = await sampleAgent(proc.pid, o.windowSeconds, sink.reports, async () => {
        counts.push((await probe.listIngests()).length);
      });
      const peakRss = processMemory(proc.pid).peakRss;
      const loadSeconds = await loadDone;
      // Idle: polls with nothing being pulled (the state of most nodes most of the time), once the
      // finished pulls have been reported and left the reports, with the agent warmed up as on a
      // node that has been running for a while (measured right after start, lazy set-up counts).
      await new Promise((r) => setTimeout(r, 3 * o.intervalMs));
      const idle = await sampleAgent(proc.pid, o.windowSeconds, sink.reports);
      await proc.stop();
      loads.push({
        how: command.how,
        idle,
        wall,
        polls,
        cpu,
        rssMax,
        peakRss,
        activeMin: Math.min(...counts),
        activeMean: counts.reduce((a, b) => a + b, 0) / counts.length,
        loadSeconds,
      });
    }

    // 2. Overhead phase: alternate rounds without/with `pulltrace agent`, fresh images of the same sizes.
    proxy.setRate(o.roundRate);
    const times = { without: [] as number[], with: [] as number[] };
    for (let round = 0; round < o.rounds; round++) {
      for (const mode of ['without', 'with'] as const) {
        const images = await buildImages(registry.host, `r${round}-${mode}`, o);
        const agent = mode === 'with' ? await startAgent(commands.at(-1)!) : undefined;
        times[mode].push(await pullAll(containerd, proxy, images));
        await agent?.stop();
      }
    }
    probe.close();
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const ratio = sum(times.with) / sum(times.without);

    const fmt = (n: number, d = 2) => n.toFixed(d);
    console.log('');
    console.log(
      `report interval ${o.intervalMs} ms; machine: ${cpus().length} cores, 1-min load average at the end ${fmt(loadavg()[0] ?? 0)}`,
    );
    console.log(`load: ${o.pulls} concurrent pulls × ${o.layers} layers × ${o.layerMiB} MiB at ${fmt(o.loadRate / MiB, 0)} MiB/s shared`);
    for (const l of loads) {
      console.log(`  ${l.how}`);
      console.log(
        `    idle (no pulls), ${fmt(l.idle.wall, 1)} s, ${l.idle.polls} polls: ${fmt((l.idle.cpu / Math.max(1, l.idle.polls)) * 1000, 1)} ms per poll, ${fmt((l.idle.cpu / l.idle.wall) * 100)} % of one core (target ≤ 0.2 %), RSS max ${fmt(l.idle.rssMax / 1e6, 1)} MB`,
      );
      console.log(
        `    active ingests in the ${fmt(l.wall, 1)} s window: min ${l.activeMin}, mean ${fmt(l.activeMean, 1)}; ${l.polls} polls`,
      );
      console.log(`    CPU per poll:      ${fmt((l.cpu / Math.max(1, l.polls)) * 1000, 1)} ms`);
      console.log(`    share of one core: ${fmt((l.cpu / l.wall) * 100)} %   (target ≤ 1 %)`);
      console.log(`    RSS: max ${fmt(l.rssMax / 1e6, 1)} MB in the window, peak ${fmt(l.peakRss / 1e6, 1)} MB   (target ≤ 50 MB)`);
    }
    console.log(
      `overhead: ${o.rounds} rounds of the same ${o.pulls} pulls × ${o.layers} × ${o.layerMiB} MiB at ${fmt(o.roundRate / MiB, 0)} MiB/s`,
    );
    console.log(`  without agent: ${times.without.map((t) => fmt(t)).join(', ')} s`);
    console.log(`  with agent:    ${times.with.map((t) => fmt(t)).join(', ')} s`);
    console.log(`  (with: ${commands.at(-1)!.how})`);
    console.log(`  ratio with ÷ without: ${fmt(ratio, 3)}   (target ≤ 1.03)`);
  } finally {
    sink.close();
    await group.close();
  }
}

/** The agent's CPU (utime+stime), polls (reports received) and largest RSS over a window of `seconds`. */
async function sampleAgent(
  pid: number,
  seconds: number,
  reports: () => number,
  each?: () => Promise<void>,
): Promise<{ wall: number; polls: number; cpu: number; rssMax: number }> {
  const cpu0 = processCpuSeconds(pid);
  const reports0 = reports();
  const t0 = performance.now();
  let rssMax = 0;
  while ((performance.now() - t0) / 1000 < seconds) {
    await new Promise((r) => setTimeout(r, 250));
    rssMax = Math.max(rssMax, processMemory(pid).rss);
    await each?.();
  }
  return { wall: (performance.now() - t0) / 1000, polls: reports() - reports0, cpu: processCpuSeconds(pid) - cpu0, rssMax };
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
