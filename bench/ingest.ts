// Report-ingest benchmark: a real server process; a separate load process simulating N nodes that
// each post a full AgentReport every second, each over its own raw keep-alive socket; and, in a
// third process, SSE viewers (`layers=0` and with layers). Prints accepted reports/s, 429s,
// latency, server CPU (share of one core) and RSS, and per viewer messages/s, bytes/s and the
// worst coverage of active pulls per 2 s window.
//
//   npm run bench:ingest                                   # N = 1000, then 5000; 20 s each; no viewers
//   npm run bench:ingest -- --nodes 5000 --sse 10 --sse-layers 10 --pulling 0.2
//   npm run bench:ingest -- --nodes 1000,5000 --sse 0,10 --sse-layers 0,10   # each N without, then with viewers
//   npm run bench:ingest -- --nodes 5000 --sse 10 --sse-layers 10 --cpu-prof /tmp/prof   # server CPU profile
// The server measured is the built one (bin/pulltrace, dist/): run `npm run build:server` first,
// or pass --from-source to run src/ through tsx (whose loader adds memory of its own).
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LoadConfig, LoadMessage, LoadResult } from './lib/loadProcess.js';
import { processCpuSeconds, processMemory } from './lib/procStats.js';
import { killOnExit, type ServerProcess, startServerProcess } from './lib/serverProcess.js';
import type { ViewerFigures } from './lib/sseViewer.js';
import type { ViewerCommand, ViewerConfig, ViewerMessage } from './lib/viewerProcess.js';

const LOAD_PROCESS = fileURLToPath(new URL('./lib/loadProcess.ts', import.meta.url));
const VIEWER_PROCESS = fileURLToPath(new URL('./lib/viewerProcess.ts', import.meta.url));
// All simulated nodes report from this one address: lift the per-address node cap.
const SERVER_ARGS = [
  '--max-nodes',
  '20000',
  '--node-report-rate',
  '10',
  '--max-sse-per-address',
  '1000',
  '--log-level',
  'warn',
  '--max-nodes-per-address',
  '20000',
];

interface Viewers {
  plain: number;
  layers: number;
}

interface ViewerResult {
  viewers: ViewerFigures[];
  windowSeconds: number;
  failedToConnect: number;
}

interface RunFigures {
  nodes: number;
  viewers: Viewers;
  load: LoadResult;
  view: ViewerResult | undefined;
  serverCpuShare: number;
  serverRssMax: number;
  serverRssPeak: number;
  /** 1-minute load average when the run ended */
  loadAverage: number;
}

interface Options {
  nodes: number[];
  viewers: Viewers[];
  seconds: number;
  warmupSeconds: number;
  pullingShare: number | undefined;
  cpuProfDir: string | undefined;
  entry: 'source' | 'built';
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '1000,5000' },
      seconds: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '3' },
      sse: { type: 'string', default: '0' },
      'sse-layers': { type: 'string', default: '0' },
      pulling: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'from-source': { type: 'boolean', default: false },
    },
  });
  const integer = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: "${text}" is not an integer ≥ ${min} (example: --${name} 20)`);
    return n;
  };
  const list = (name: string, text: string, min: number) => text.split(',').map((n) => integer(name, n.trim(), min));
  const nodes = list('nodes', values.nodes, 1);
  const plain = list('sse', values.sse, 0);
  const layers = list('sse-layers', values['sse-layers'], 0);
  const count = Math.max(plain.length, layers.length);
  if ((plain.length !== 1 && plain.length !== count) || (layers.length !== 1 && layers.length !== count))
    throw new Error('--sse and --sse-layers: give one value, or lists of the same length (paired in order)');
  const viewers = Array.from({ length: count }, (_, i) => ({
    plain: plain[plain.length === 1 ? 0 : i]!,
    layers: layers[layers.length === 1 ? 0 : i]!,
  }));
  const seconds = integer('seconds', values.seconds, 1);
  const warmupSeconds = Number(values.warmup);
  if (!(warmupSeconds >= 0 && warmupSeconds < seconds)) throw new Error(`--warmup: must be from 0 to less than --seconds (${seconds})`);
  let pullingShare: number | undefined;
  if (values.pulling !== undefined) {
    pullingShare = Number(values.pulling);
    if (!(pullingShare >= 0 && pullingShare <= 1))
      throw new Error(`--pulling: "${values.pulling}" is not a share from 0 to 1 (example: --pulling 0.2)`);
  }
  const entry = values['from-source'] ? 'source' : 'built';
  if (entry === 'built') checkBuild();
  return { nodes, viewers, seconds, warmupSeconds, pullingShare, cpuProfDir: values['cpu-prof'], entry };
}

/** The built server is what is measured by default: refuse a missing or older-than-source build. */
function checkBuild(): void {
  const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
  const src = fileURLToPath(new URL('../src', import.meta.url));
  if (!existsSync(built)) throw new Error('dist/ is missing: run `npm run build:server` first (or pass --from-source)');
  const builtAt = statSync(built).mtimeMs;
  const newer = readdirSync(src, { recursive: true, encoding: 'utf8' }).find(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && statSync(`${src}/${f}`).mtimeMs > builtAt,
  );
  if (newer) throw new Error(`src/${newer} is newer than dist/: run \`npm run build:server\` first (or pass --from-source)`);
}

function forkChild(path: string, config: unknown): ChildProcess {
  const child = fork(path, [JSON.stringify(config)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  killOnExit(child);
  return child;
}

async function startViewers(port: number, v: Viewers): Promise<{ child: ChildProcess; result: Promise<ViewerResult> } | undefined> {
  if (v.plain + v.layers === 0) return undefined;
  const config: ViewerConfig = { port, plain: v.plain, layers: v.layers };
  const child = forkChild(VIEWER_PROCESS, config);
  let resolveResult!: (r: ViewerResult) => void;
  const result = new Promise<ViewerResult>((resolve) => {
    resolveResult = resolve;
  });
  await new Promise<void>((ready, reject) => {
    child.on('message', (m: ViewerMessage) => {
      if (m.type === 'ready') ready();
      else if (m.type === 'result') resolveResult(m);
    });
    child.once('exit', (code) => reject(new Error(`viewer process exited (code ${code})`)));
  });
  return { child, result };
}

async function runOnce(n: number, viewers: Viewers, opts: Options): Promise<RunFigures> {
  const nodeArgs: string[] = [];
  if (opts.cpuProfDir) {
    mkdirSync(opts.cpuProfDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir);
  }
  const server: ServerProcess = await startServerProcess(SERVER_ARGS, nodeArgs, opts.entry);
  console.log(`\nserver pid ${server.pid} on 127.0.0.1:${server.httpPort}`);
  let rssMax = 0;
  const sampleRss = () => {
    rssMax = Math.max(rssMax, processMemory(server.pid).rss);
  };
  const sampler = setInterval(sampleRss, 250);
  try {
    const view = await startViewers(server.httpPort, viewers);
    const config: LoadConfig = {
      port: server.httpPort,
      nodes: n,
      seconds: opts.seconds,
      warmupSeconds: opts.warmupSeconds,
      pullingShare: opts.pullingShare,
    };
    const loader = forkChild(LOAD_PROCESS, config);
    let cpuStart = 0;
    let wallStart = 0;
    let cpuShare = Number.NaN;
    const hardLimitMs = (opts.seconds + 60) * 1000;
    const tell = (m: ViewerCommand) => view?.child.send(m);
    const load = await new Promise<LoadResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load process did not finish within ${hardLimitMs / 1000} s`)), hardLimitMs);
      loader.on('message', (m: LoadMessage) => {
        if (m.type === 'window-start') {
          cpuStart = processCpuSeconds(server.pid);
          wallStart = performance.now();
          tell({ type: 'start' });
        } else if (m.type === 'window-end') {
          cpuShare = (processCpuSeconds(server.pid) - cpuStart) / ((performance.now() - wallStart) / 1000);
          tell({ type: 'stop' });
          sampleRss();
        } else if (m.type === 'result') {
          clearTimeout(timer);
          resolve(m.result);
        }
      });
      loader.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`load process exited (code ${code}) before sending its result`));
      });
    });
    sampleRss();
    return {
      nodes: n,
      viewers,
      load,
      view: view ? await view.result : undefined,
      serverCpuShare: cpuShare,
      serverRssMax: rssMax,
      serverRssPeak: processMemory(server.pid).peakRss,
      loadAverage: loadavg()[0]!,
    };
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
}

function spread(values: number[], format: (v: number) => string): string {
  if (values.length === 0) return '—';
  const sorted = [...values].sort((a, b) => a - b);
  return `min ${format(sorted[0]!)}, median ${format(sorted[Math.floor(sorted.length / 2)]!)}, max ${format(sorted.at(-1)!)}`;
}

function printRun(f: RunFigures): void {
  const l = f.load;
  const failures = Object.entries(l.failures)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(
    `\n== ${f.nodes} nodes, one report per second each, ${f.viewers.plain} viewers layers=0 + ${f.viewers.layers} with layers (measured ${l.windowSeconds.toFixed(0)} s)`,
  );
  console.log(
    `  reports/s accepted   ${(l.ok / l.windowSeconds).toFixed(0)} (offered ${(l.sent / l.windowSeconds).toFixed(0)}, target ${f.nodes}; ${((100 * l.ok) / Math.max(l.sent, 1)).toFixed(1)} % accepted)`,
  );
  console.log(`  429s                 ${l.failures['429'] ?? 0}`);
  console.log(
    `  latency              p50 ${ms(l.latencyMs.p50)}, p90 ${ms(l.latencyMs.p90)}, p99 ${ms(l.latencyMs.p99)}, max ${ms(l.latencyMs.max)}`,
  );
  console.log(`  non-200              ${failures || 'none'}`);
  console.log(`  skipped (in flight)  ${l.skippedInFlight} (reports not sent because the node's previous one was unanswered)`);
  // CPU time per answered report depends far less on other load on the machine than latency does.
  const cpuPerReportUs = (f.serverCpuShare * 1e6) / (l.ok / l.windowSeconds);
  console.log(`  server CPU           ${(f.serverCpuShare * 100).toFixed(0)} % of one core; ${cpuPerReportUs.toFixed(0)} µs per report`);
  console.log(
    `  server RSS           max ${(f.serverRssMax / 2 ** 20).toFixed(0)} MiB (VmHWM ${(f.serverRssPeak / 2 ** 20).toFixed(0)} MiB)`,
  );
  const genUs = (l.clientCpuShare * 1e6) / Math.max(l.sent / l.windowSeconds, 1);
  console.log(
    `  load generator       CPU ${(l.clientCpuShare * 100).toFixed(0)} % of one core (${genUs.toFixed(0)} µs per report); event-loop delay p99 ${ms(l.clientLoopDelayMs.p99)}, max ${ms(l.clientLoopDelayMs.max)}`,
  );
  console.log(`  mean report size     ${(l.meanBodyBytes / 1024).toFixed(1)} KiB`);
  const v = f.view;
  if (v) {
    for (const layers of [false, true]) {
      const group = v.viewers.filter((x) => x.layers === layers);
      if (group.length === 0) continue;
      const name = layers ? 'with layers' : 'layers=0   ';
      console.log(
        `  SSE ${name}      ${group.length} viewers; msgs/s ${spread(
          group.map((x) => x.messages / v.windowSeconds),
          (x) => x.toFixed(0),
        )}; KiB/s ${spread(
          group.map((x) => x.bytes / 1024 / v.windowSeconds),
          (x) => x.toFixed(0),
        )}`,
      );
      console.log(
        `                       worst coverage per 2 s window ${(100 * Math.min(...group.map((x) => x.worstCoverage))).toFixed(1)} % (over ${Math.min(...group.map((x) => x.windows))} windows); order violations ${group.reduce((a, x) => a + x.orderViolations, 0)}; active pulls never announced ${group.reduce((a, x) => a + x.missedPulls, 0)}; streams ended by the server ${group.reduce((a, x) => a + x.disconnects, 0)}; longest silence ${Math.max(...group.map((x) => x.maxGapMs)).toFixed(0)} ms`,
      );
    }
    if (v.failedToConnect > 0) console.log(`  SSE                  ${v.failedToConnect} viewers could not connect`);
  }
  console.log(
    `  machine              ${cpus().length} CPUs, load average ${f.loadAverage.toFixed(1)} at the end (other processes compete for CPU)`,
  );
}

async function run(): Promise<void> {
  const opts = options();
  console.log(
    `ingest benchmark: nodes ${opts.nodes.join(', ')}; viewers ${opts.viewers.map((v) => `${v.plain}+${v.layers}`).join(', ')}; ${opts.seconds} s each (first ${opts.warmupSeconds} s warm-up, not measured); profile ${opts.pullingShare === undefined ? 'busy cluster (0–3 pulls per node)' : `rollout (${opts.pullingShare * 100} % of nodes pulling one 8-layer image)`}`,
  );
  const all: RunFigures[] = [];
  for (const n of opts.nodes) {
    for (const v of opts.viewers) {
      const figures = await runOnce(n, v, opts);
      printRun(figures);
      all.push(figures);
    }
  }
  console.log('\nnodes  viewers  accepted/s  429s  p50 ms  p99 ms  server CPU  RSS max  worst coverage');
  for (const f of all) {
    const cov = f.view ? `${(100 * Math.min(...f.view.viewers.map((x) => x.worstCoverage))).toFixed(1)} %` : '—';
    console.log(
      `${String(f.nodes).padStart(5)}  ${`${f.viewers.plain}+${f.viewers.layers}`.padStart(7)}  ${(f.load.ok / f.load.windowSeconds).toFixed(0).padStart(10)}  ${String(f.load.failures['429'] ?? 0).padStart(4)}  ${f.load.latencyMs.p50.toFixed(1).padStart(6)}  ${f.load.latencyMs.p99.toFixed(1).padStart(6)}  ${`${(f.serverCpuShare * 100).toFixed(0)} %`.padStart(10)}  ${`${(f.serverRssMax / 2 ** 20).toFixed(0)} MiB`.padStart(7)}  ${cov.padStart(14)}`,
    );
  }
}

// Exit through process.exit so the 'exit' hooks end the server, load and viewer processes by PID.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:ingest failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
