// Report-ingest benchmark: a real server process; a separate load process simulating N nodes that
// each post a full AgentReport every second, each over its own raw keep-alive socket; and, in a
// third process, SSE viewers (`layers=0` and with layers). Prints accepted reports/s, 429s,
// latency, server CPU (share of one core) and RSS, and per viewer messages/s, bytes/s and the
// worst coverage of active pulls per 2 s window.
// With `--replicas 2 --bus nats` it runs two servers on a shared report log (a real nats-server with
// JetStream started here): each node reports to one replica, the viewers are split between them,
// and it prints accepted/s, p99, CPU and RSS per replica, and the lag from a report posted to one
// replica to its event on the other (p50/p99, see lib/replicaLag.ts). `--bus none` with replicas:
// the same load on independent servers (the baseline without the log).
//
//   npm run bench:ingest                                   # N = 1000, then 5000; 20 s each; no viewers
//   npm run bench:ingest -- --nodes 5000 --sse 10 --sse-layers 10 --pulling 0.2
//   npm run bench:ingest -- --nodes 1000,5000 --sse 0,10 --sse-layers 0,10   # each N without, then with viewers
//   npm run bench:ingest -- --nodes 5000 --sse 10 --sse-layers 10 --cpu-prof /tmp/prof   # server CPU profile
//   npm run bench:ingest -- --replicas 2 --bus nats --nodes 5000 --sse 10 --sse-layers 10   # two replicas on NATS
// The server measured is the built one (bin/pulltrace, dist/): run `npm run build:server` first,
// or pass --from-source to run src/ through tsx (whose loader adds memory of its own).
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type NatsHandle, startNats, startServer, type TestServer } from '../test/kit/index.js';
import { killOnExit } from './lib/killOnExit.js';
import type { LoadConfig, LoadMessage, LoadResult } from './lib/loadProcess.js';
import { processCpuSeconds, processMemory } from './lib/procStats.js';
import { type LagFigures, ReplicaLagProbe } from './lib/replicaLag.js';
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

interface ServerFigures {
  cpuShare: number;
  rssMax: number;
  rssPeak: number;
}

interface RunFigures {
  nodes: number;
  viewers: Viewers;
  load: LoadResult;
  view: ViewerResult | undefined;
  serverCpuShare: number;
  serverRssMax: number;
  serverRssPeak: number;
  /** each server (replica) on its own; one entry for a single server */
  servers: ServerFigures[];
  /** report on one replica → event on the other; with replicas on a shared log only */
  lag: LagFigures | undefined;
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
  replicas: number;
  bus: 'none' | 'nats';
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
      replicas: { type: 'string', default: '1' },
      bus: { type: 'string', default: 'none' },
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
  const replicas = integer('replicas', values.replicas, 1);
  const bus = values.bus;
  if (bus !== 'none' && bus !== 'nats') throw new Error(`--bus: "${bus}" is not one of none, nats (example: --bus nats)`);
  return { nodes, viewers, seconds, warmupSeconds, pullingShare, cpuProfDir: values['cpu-prof'], entry, replicas, bus };
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

/** The i-th of k even shares of n (the first ones get the remainder). */
function share(n: number, i: number, k: number): number {
  return Math.floor(n / k) + (i < n % k ? 1 : 0);
}

async function runOnce(n: number, viewers: Viewers, opts: Options): Promise<RunFigures> {
  const nodeArgs: string[] = [];
  if (opts.cpuProfDir) {
    mkdirSync(opts.cpuProfDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir);
  }
  let nats: NatsHandle | undefined;
  const servers: TestServer[] = [];
  const samplers: NodeJS.Timeout[] = [];
  try {
    // A fresh NATS per run: the stream starts empty, as in a new installation.
    if (opts.bus === 'nats') nats = await startNats();
    const busArgs = nats ? ['--bus', nats.url, '--cluster', 'bench'] : [];
    for (let i = 0; i < opts.replicas; i++)
      servers.push(await startServer({ extraArgs: [...SERVER_ARGS, ...busArgs], nodeArgs: nodeArgs, entry: opts.entry }));
    for (const s of servers) console.log(`\nserver pid ${s.pid} on 127.0.0.1:${s.httpPort}${nats ? ` (report log ${nats.url})` : ''}`);
    const rssMax = servers.map(() => 0);
    const sampleRss = () => {
      for (const [i, s] of servers.entries()) rssMax[i] = Math.max(rssMax[i]!, processMemory(s.pid).rss);
    };
    samplers.push(setInterval(sampleRss, 250));
    // The viewers are split evenly between the replicas, as a load balancer would.
    const views = await Promise.all(
      servers.map((s, i) =>
        startViewers(s.httpPort, { plain: share(viewers.plain, i, servers.length), layers: share(viewers.layers, i, servers.length) }),
      ),
    );
    const probe = nats && servers.length > 1 ? await ReplicaLagProbe.open(servers.map((s) => `http://127.0.0.1:${s.httpPort}`)) : undefined;
    const config: LoadConfig = {
      port: servers[0]!.httpPort,
      ports: servers.map((s) => s.httpPort),
      nodes: n,
      seconds: opts.seconds,
      warmupSeconds: opts.warmupSeconds,
      pullingShare: opts.pullingShare,
    };
    const loader = forkChild(LOAD_PROCESS, config);
    let cpuStart: number[] = [];
    let wallStart = 0;
    let cpuShares = servers.map(() => Number.NaN);
    const hardLimitMs = (opts.seconds + 60) * 1000;
    const tell = (m: ViewerCommand) => {
      for (const v of views) v?.child.send(m);
    };
    const load = await new Promise<LoadResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load process did not finish within ${hardLimitMs / 1000} s`)), hardLimitMs);
      loader.on('message', (m: LoadMessage) => {
        if (m.type === 'window-start') {
          cpuStart = servers.map((s) => processCpuSeconds(s.pid));
          wallStart = performance.now();
          tell({ type: 'start' });
          probe?.begin();
        } else if (m.type === 'window-end') {
          const wall = (performance.now() - wallStart) / 1000;
          cpuShares = servers.map((s, i) => (processCpuSeconds(s.pid) - cpuStart[i]!) / wall);
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
    const lag = await probe?.end();
    sampleRss();
    const results = await Promise.all(views.map((v) => v?.result));
    const present = results.filter((r): r is ViewerResult => r !== undefined);
    const view =
      present.length === 0
        ? undefined
        : {
            viewers: present.flatMap((r) => r.viewers),
            windowSeconds: present[0]!.windowSeconds,
            failedToConnect: present.reduce((a, r) => a + r.failedToConnect, 0),
          };
    const figures = servers.map((s, i) => ({ cpuShare: cpuShares[i]!, rssMax: rssMax[i]!, rssPeak: processMemory(s.pid).peakRss }));
    return {
      nodes: n,
      viewers,
      load,
      view,
      // The whole (all replicas): CPU adds up, RSS is the largest replica's.
      serverCpuShare: figures.reduce((a, f) => a + f.cpuShare, 0),
      serverRssMax: Math.max(...figures.map((f) => f.rssMax)),
      serverRssPeak: Math.max(...figures.map((f) => f.rssPeak)),
      servers: figures,
      lag,
      loadAverage: loadavg()[0]!,
    };
  } finally {
    for (const t of samplers) clearInterval(t);
    for (const s of servers) await s.stop();
    await nats?.close();
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
  const over = f.servers.length > 1 ? `, over ${f.servers.length} replicas${f.lag ? ' on NATS JetStream' : ' (independent, no log)'}` : '';
  console.log(
    `\n== ${f.nodes} nodes, one report per second each, ${f.viewers.plain} viewers layers=0 + ${f.viewers.layers} with layers${over} (measured ${l.windowSeconds.toFixed(0)} s)`,
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
  if (f.servers.length > 1) {
    for (const [i, s] of f.servers.entries()) {
      const t = l.byTarget[i];
      const accepted = t ? `${(t.ok / l.windowSeconds).toFixed(0)}/s accepted of its ${share(f.nodes, i, f.servers.length)} nodes` : '';
      console.log(
        `  replica ${i}            ${accepted}; p99 ${ms(t?.latencyMs.p99 ?? Number.NaN)}; CPU ${(s.cpuShare * 100).toFixed(0)} % of one core; RSS max ${(s.rssMax / 2 ** 20).toFixed(0)} MiB`,
      );
    }
  }
  if (f.lag) {
    const g = f.lag;
    console.log(
      `  replication lag      report on one replica → its event on the other: p50 ${ms(g.otherReplica.p50)}, p99 ${ms(g.otherReplica.p99)}, max ${ms(g.otherReplica.max)} (${g.otherReplica.count} probes)`,
    );
    console.log(
      `                       the same replica, for comparison: p50 ${ms(g.sameReplica.p50)}, p99 ${ms(g.sameReplica.p99)}; probe events never shown: ${g.missed} (both include the post and the SSE hub's 250 ms batching)`,
    );
  }
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
    // Replicas: one line each (CPU and RSS its own), then the lag between them.
    if (f.servers.length > 1) {
      for (const [i, s] of f.servers.entries()) {
        const t = f.load.byTarget[i];
        console.log(
          `${`replica ${i}`.padStart(14)}  ${((t?.ok ?? 0) / f.load.windowSeconds).toFixed(0).padStart(10)}  ${''.padStart(4)}  ${(t?.latencyMs.p50 ?? Number.NaN).toFixed(1).padStart(6)}  ${(t?.latencyMs.p99 ?? Number.NaN).toFixed(1).padStart(6)}  ${`${(s.cpuShare * 100).toFixed(0)} %`.padStart(10)}  ${`${(s.rssMax / 2 ** 20).toFixed(0)} MiB`.padStart(7)}`,
        );
      }
      if (f.lag)
        console.log(
          `${'lag to other'.padStart(14)}  p50 ${f.lag.otherReplica.p50.toFixed(1)} ms, p99 ${f.lag.otherReplica.p99.toFixed(1)} ms`,
        );
    }
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
