// Report-ingest benchmark: a real server process, and a separate load process simulating N nodes
// that each post a full AgentReport every second. Prints achieved reports/s, latency, non-200
// answers, server CPU (share of one core) and server RSS.
//
//   npm run bench:ingest                         # N = 1000, then 5000; 20 s each
//   npm run bench:ingest -- --nodes 2000 --seconds 30 --sockets 256
import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LoadConfig, LoadMessage, LoadResult } from './lib/loadProcess.js';
import { processCpuSeconds, processMemory } from './lib/procStats.js';
import { killOnExit, type ServerProcess, startServerProcess } from './lib/serverProcess.js';

const LOAD_PROCESS = fileURLToPath(new URL('./lib/loadProcess.ts', import.meta.url));
// All simulated nodes report from this one address: lift the per-address node cap.
const SERVER_ARGS = ['--max-nodes', '20000', '--node-report-rate', '10', '--log-level', 'warn', '--max-nodes-per-address', '20000'];

interface RunFigures {
  nodes: number;
  load: LoadResult;
  serverCpuShare: number;
  serverRssMax: number;
  serverRssPeak: number;
  /** 1-minute load average when the run ended */
  loadAverage: number;
}

function options(): { nodes: number[]; seconds: number; warmupSeconds: number; sockets: number } {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '1000,5000' },
      seconds: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '3' },
      sockets: { type: 'string', default: '128' },
    },
  });
  const positive = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: "${text}" is not a positive integer (example: --${name} 20)`);
    return n;
  };
  const nodes = values.nodes.split(',').map((n) => positive('nodes', n.trim()));
  const seconds = positive('seconds', values.seconds);
  const warmupSeconds = Number(values.warmup);
  if (!(warmupSeconds >= 0 && warmupSeconds < seconds)) throw new Error(`--warmup: must be from 0 to less than --seconds (${seconds})`);
  return { nodes, seconds, warmupSeconds, sockets: positive('sockets', values.sockets) };
}

async function runOnce(n: number, opts: ReturnType<typeof options>): Promise<RunFigures> {
  const server: ServerProcess = await startServerProcess(SERVER_ARGS);
  console.log(
    `\nserver pid ${server.pid} on 127.0.0.1:${server.httpPort} (ports from ${server.portsFrom === 'log' ? 'its "listening" log line' : '/proc: no "listening" line at --log-level warn'})`,
  );
  let rssMax = 0;
  const sampleRss = () => {
    rssMax = Math.max(rssMax, processMemory(server.pid).rss);
  };
  const sampler = setInterval(sampleRss, 250);
  try {
    const config: LoadConfig = {
      port: server.httpPort,
      nodes: n,
      seconds: opts.seconds,
      warmupSeconds: opts.warmupSeconds,
      sockets: opts.sockets,
    };
    const loader = fork(LOAD_PROCESS, [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    killOnExit(loader);
    let cpuStart = 0;
    let wallStart = 0;
    let cpuShare = Number.NaN;
    const hardLimitMs = (opts.seconds + 60) * 1000;
    const load = await new Promise<LoadResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load process did not finish within ${hardLimitMs / 1000} s`)), hardLimitMs);
      loader.on('message', (m: LoadMessage) => {
        if (m.type === 'window-start') {
          cpuStart = processCpuSeconds(server.pid);
          wallStart = performance.now();
        } else if (m.type === 'window-end') {
          cpuShare = (processCpuSeconds(server.pid) - cpuStart) / ((performance.now() - wallStart) / 1000);
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
      load,
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

function printRun(f: RunFigures, sockets: number): void {
  const l = f.load;
  const failures = Object.entries(l.failures)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(
    `\n== ${f.nodes} nodes, each one report per second (measured ${l.windowSeconds.toFixed(0)} s, keep-alive pool of ${sockets} sockets)`,
  );
  console.log(
    `  reports/s achieved   ${(l.ok / l.windowSeconds).toFixed(0)} (offered ${(l.sent / l.windowSeconds).toFixed(0)}, target ${f.nodes})`,
  );
  console.log(
    `  latency              p50 ${ms(l.latencyMs.p50)}, p90 ${ms(l.latencyMs.p90)}, p99 ${ms(l.latencyMs.p99)}, max ${ms(l.latencyMs.max)}`,
  );
  console.log(`  non-200              ${failures || 'none'}`);
  console.log(`  skipped (in flight)  ${l.skippedInFlight} (reports not sent because the node's previous one was unanswered)`);
  // CPU time per answered report depends far less on other load on the machine than latency does.
  const cpuPerReportUs = (f.serverCpuShare * 1e6) / (l.ok / l.windowSeconds);
  console.log(
    `  server CPU           ${(f.serverCpuShare * 100).toFixed(0)} % of one core; ${cpuPerReportUs.toFixed(0)} µs per report (one core ≈ ${(1e6 / cpuPerReportUs).toFixed(0)} reports/s)`,
  );
  console.log(
    `  server RSS           max ${(f.serverRssMax / 2 ** 20).toFixed(0)} MiB (VmHWM ${(f.serverRssPeak / 2 ** 20).toFixed(0)} MiB)`,
  );
  console.log(
    `  load process         CPU ${(l.clientCpuShare * 100).toFixed(0)} % of one core; event-loop delay p99 ${ms(l.clientLoopDelayMs.p99)}, max ${ms(l.clientLoopDelayMs.max)}`,
  );
  console.log(`  mean report size     ${(l.meanBodyBytes / 1024).toFixed(1)} KiB`);
  console.log(
    `  machine              ${cpus().length} CPUs, load average ${f.loadAverage.toFixed(1)} at the end (other processes compete for CPU)`,
  );
}

async function run(): Promise<void> {
  const opts = options();
  console.log(
    `ingest benchmark: nodes ${opts.nodes.join(', ')}; ${opts.seconds} s each (first ${opts.warmupSeconds} s warm-up, not measured)`,
  );
  const all: RunFigures[] = [];
  for (const n of opts.nodes) {
    const figures = await runOnce(n, opts);
    printRun(figures, opts.sockets);
    all.push(figures);
  }
  console.log('\nnodes  reports/s  p50 ms  p99 ms  non-200  server CPU  server RSS max');
  for (const f of all) {
    const non200 = Object.values(f.load.failures).reduce((a, b) => a + b, 0);
    console.log(
      `${String(f.nodes).padStart(5)}  ${(f.load.ok / f.load.windowSeconds).toFixed(0).padStart(9)}  ${f.load.latencyMs.p50.toFixed(1).padStart(6)}  ${f.load.latencyMs.p99.toFixed(1).padStart(6)}  ${String(non200).padStart(7)}  ${`${(f.serverCpuShare * 100).toFixed(0)} %`.padStart(10)}  ${`${(f.serverRssMax / 2 ** 20).toFixed(0)} MiB`.padStart(14)}`,
    );
  }
}

// Exit through process.exit so the 'exit' hooks end the server and load processes by PID.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:ingest failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
