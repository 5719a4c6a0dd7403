// Hostile-client benchmark: what one client or a crowd of sockets can do to a real server process.
// Prints four figures:
//   1. worst time to answer the most expensive 1 MiB reports (four shapes, several rounds each);
//   2. the worst /healthz latency while those reports are processed;
//   3. server RSS growth with N event-stream sockets that never read, against a 10,000-layer snapshot;
//   4. connections reset or refused when 5,000 sockets connect at once (with the default listen
//      backlog, and with Node's own default of 511 for comparison);
//   5. a TokenReview flood (kubernetes agent auth, the fake API server): reviews made by 2,000 junk
//      tokens from one address, worst /healthz meanwhile, agents' answers on other addresses;
//   6. (only when asked: --phases api-outage) a TokenReview outage of --outage (3m) with
//      --node-timeout (20s): agents' answers, pulls failed (target 0).
//   7. with 10 clients making the costliest reads at the maximums (1M history rows, 50,000 live
//      pulls) while agents report: worst /healthz, the server's worst event-loop block, report p99
//      (lib/readPhase.ts).
//   8. with the default stream cap filled by sockets that never read (from 50 addresses, against a
//      10,000-layer snapshot, reconnecting when closed): time until a new viewer gets 200, RSS growth.
// On a loaded machine the figures are noisy; the 1-minute load average is printed with them.
//
//   npm run bench:hostile
//   npm run bench:hostile -- --sse-sockets 200 --connect 2000 --rss-limit-mb 2000
//   npm run bench:hostile -- --phases reports,connect     # any of reports, streams, connect, token-reviews, reads, eviction
//   npm run bench:hostile -- --phases token-reviews --junk-tokens 5000
//   npm run bench:hostile -- --phases api-outage --outage 3m --node-timeout 20s
//   npm run bench:hostile -- --phases reads --history-db /tmp/history-1m.db   # keep the 1M-row file for reruns
//   npm run bench:hostile -- --phases reports --cpu-prof /tmp/prof   # server CPU profile
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { startServer, type TestServer } from '../test/kit/index.js';
import { apiOutage } from './lib/apiOutage.js';
import { HOSTILE_SHAPES, hostileReport } from './lib/hostileReports.js';
import { processCpuSeconds, processMemory } from './lib/procStats.js';
import { readPhase } from './lib/readPhase.js';
import { tokenReviewFlood } from './lib/tokenReviewFlood.js';

const MB = 1024 * 1024;

function options() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      'sse-sockets': { type: 'string', default: '1000' },
      connect: { type: 'string', default: '5000' },
      'rss-limit-mb': { type: 'string', default: '3000' },
      phases: { type: 'string', default: 'reports,streams,connect,token-reviews,reads,eviction' },
      'junk-tokens': { type: 'string', default: '2000' },
      outage: { type: 'string', default: '3m' },
      'node-timeout': { type: 'string', default: '20s' },
      'outage-agents': { type: 'string', default: '20' },
      'cpu-prof': { type: 'string' },
      'history-rows': { type: 'string', default: '1000000' },
      'live-pulls': { type: 'string', default: '50000' },
      readers: { type: 'string', default: '10' },
      'read-seconds': { type: 'string', default: '20' },
      'history-db': { type: 'string' },
    },
  });
  const duration = (text: string) => {
    const m = /^(\d+)(s|m)$/.exec(text);
    if (!m) throw new Error(`--outage: "${text}" is not a duration in s or m (example: --outage 3m)`);
    return Number(m[1]) * (m[2] === 'm' ? 60_000 : 1000);
  };
  const positive = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: "${text}" is not a positive integer (example: --${name} 100)`);
    return n;
  };
  return {
    rounds: positive('rounds', values.rounds),
    sseSockets: positive('sse-sockets', values['sse-sockets']),
    connect: positive('connect', values.connect),
    rssLimit: positive('rss-limit-mb', values['rss-limit-mb']) * MB,
    phases: new Set(values.phases.split(',').map((p) => p.trim())),
    junkTokens: positive('junk-tokens', values['junk-tokens']),
    outageMs: duration(values.outage),
    nodeTimeout: values['node-timeout'],
    outageAgents: positive('outage-agents', values['outage-agents']),
    cpuProfDir: values['cpu-prof'],
    reads: {
      historyRows: positive('history-rows', values['history-rows']),
      livePulls: positive('live-pulls', values['live-pulls']),
      readers: positive('readers', values.readers),
      seconds: positive('read-seconds', values['read-seconds']),
      ...(values['history-db'] ? { historyDb: values['history-db'] } : {}),
    },
  };
}

/** Flags for limits this server has (another change may add a per-address stream cap): set high, so the bench measures the hub. */
function generousLimits(sockets: number): string[] {
  const help = execFileSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../test/kit/cli.ts', import.meta.url)), 'server', '--help'],
    {
      encoding: 'utf8',
    },
  );
  const args = ['--node-report-rate', '1000', '--max-sse-clients', String(sockets + 100), '--log-level', 'warn'];
  for (const [flag, value] of [
    ['--max-nodes-per-address', '1000'],
    ['--max-sse-per-address', String(sockets + 100)],
  ] as const)
    if (help.includes(flag)) args.push(flag, value);
  return args;
}

interface Answer {
  status: number;
  ms: number;
}

function post(port: number, agent: HttpAgent, body: string): Promise<Answer> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/report',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - start }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function get(port: number, agent: HttpAgent, path: string): Promise<Answer> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - start }));
    });
    req.on('error', reject);
    req.end();
  });
}

// The probe runs in a worker thread: its latencies are the server's, not this process's own
// pauses (building 1 MiB bodies, garbage collection).
const PROBE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let running = true, worstMs = 0, count = 0, failures = 0;
parentPort.on('message', () => { running = false; });
function once() {
  if (!running) { agent.destroy(); parentPort.postMessage({ worstMs, count, failures }); return; }
  const start = performance.now();
  const req = http.request({ host: '127.0.0.1', port: workerData.port, path: '/healthz', agent }, (res) => {
    res.resume();
    res.on('end', () => { worstMs = Math.max(worstMs, performance.now() - start); count++; if (res.statusCode !== 200) failures++; setTimeout(once, 5); });
  });
  req.on('error', () => { failures++; setTimeout(once, 5); });
  req.end();
}
once();
`;

/** Polls /healthz back to back on its own connection (in a worker) until stopped; returns the worst latency. */
function healthProbe(port: number): { stop(): Promise<{ worstMs: number; count: number; failures: number }> } {
  const worker = new Worker(PROBE_WORKER, { eval: true, workerData: { port } });
  const result = new Promise<{ worstMs: number; count: number; failures: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const r = await result;
      await worker.terminate();
      return r;
    },
  };
}

async function worstReports(server: TestServer, rounds: number): Promise<void> {
  console.log('\n1–2. worst-case 1 MiB reports (time to answer, client-measured on loopback) and /healthz meanwhile');
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const bodiesByShape = new Map(
    HOSTILE_SHAPES.map((shape) => [shape, Array.from({ length: rounds }, (_, r) => hostileReport(shape, `hostile-${shape}`, r))]),
  );
  const probe = healthProbe(server.httpPort);
  let worst = 0;
  for (const shape of HOSTILE_SHAPES) {
    const bodies = bodiesByShape.get(shape) as string[];
    const times: number[] = [];
    const statuses = new Set<number>();
    // Server CPU per report: less distorted than wall time when the machine is shared.
    const cpuBefore = processCpuSeconds(server.pid);
    for (const body of bodies) {
      const a = await post(server.httpPort, agent, body);
      times.push(a.ms);
      statuses.add(a.status);
    }
    const cpuMs = ((processCpuSeconds(server.pid) - cpuBefore) * 1000) / bodies.length;
    worst = Math.max(worst, ...times);
    const kib = Math.round(Buffer.byteLength(bodies[0] as string) / 1024);
    console.log(
      `   ${shape.padEnd(15)} ${String(kib).padStart(5)} KiB  first ${times[0]?.toFixed(1)} ms, worst ${Math.max(...times).toFixed(1)} ms, median ${median(times).toFixed(1)} ms, server CPU ${cpuMs.toFixed(0)} ms/report  (HTTP ${[...statuses].join(',')})`,
    );
  }
  const health = await probe.stop();
  agent.destroy();
  console.log(`   worst report: ${worst.toFixed(1)} ms (target ≤ 50 ms)`);
  console.log(
    `   /healthz worst: ${health.worstMs.toFixed(1)} ms over ${health.count} probes, ${health.failures} failed (target ≤ 100 ms)`,
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** 10 nodes × 1,000 layers = a 10,000-layer snapshot. */
async function buildSnapshot(server: TestServer): Promise<void> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  for (let n = 0; n < 10; n++) {
    const layers = Array.from({ length: 1000 }, (_, i) => ({
      digest: `sha256:${n.toString(16)}${i.toString(16).padStart(62, '0')}`,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      totalBytes: 50_000_000,
      downloadedBytes: 1_000_000,
      totalKnown: true,
      state: 'downloading',
    }));
    const body = JSON.stringify({
      nodeName: `snapshot-${n}`,
      pulls: [
        {
          imageRef: `registry.example.com/big/image-${n}:1`,
          manifestDigest: `sha256:big${n}`,
          status: 'pulling',
          totalKnown: true,
          layers,
        },
      ],
    });
    const a = await post(server.httpPort, agent, body);
    if (a.status !== 200) throw new Error(`snapshot report ${n}: HTTP ${a.status}`);
  }
  agent.destroy();
}

async function idleStreams(server: TestServer, count: number, rssLimit: number): Promise<void> {
  console.log(`\n3. ${count} event-stream sockets that never read, against a 10,000-layer snapshot`);
  await buildSnapshot(server);
  await new Promise((r) => setTimeout(r, 500));
  const before = processMemory(server.pid).rss;
  const sockets: Socket[] = [];
  let peak = before;
  let stoppedAt: number | undefined;
  for (let i = 0; i < count; i++) {
    const s = connect({ host: '127.0.0.1', port: server.httpPort });
    s.on('error', () => {});
    s.on('connect', () => {
      s.write('GET /api/v1/events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n');
      s.pause(); // never read: what the server wrote stays in its buffers
    });
    sockets.push(s);
    if (i % 50 === 49) {
      await new Promise((r) => setTimeout(r, 20));
      peak = Math.max(peak, processMemory(server.pid).rss);
      if (peak - before > rssLimit) {
        stoppedAt = i + 1;
        break;
      }
    }
  }
  // Let the server write what it will, while progress keeps flowing; sample RSS meanwhile.
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const progress = Array.from({ length: 10 }, (_, round) => hostileReport('many-pulls', 'progress-node', round));
  const probe = healthProbe(server.httpPort);
  for (let round = 0; round < 10 && stoppedAt === undefined; round++) {
    await post(server.httpPort, agent, progress[round] as string).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    peak = Math.max(peak, processMemory(server.pid).rss);
    if (peak - before > rssLimit) stoppedAt = count;
  }
  const health = await probe.stop();
  agent.destroy();
  const answers = await get(server.httpPort, new HttpAgent(), '/healthz').catch(() => ({ status: 0, ms: 0 }));
  for (const s of sockets) s.destroy();
  console.log(
    `   RSS before ${(before / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB: growth ${((peak - before) / MB).toFixed(0)} MB (target ≤ 300 MB)`,
  );
  if (stoppedAt !== undefined) console.log(`   stopped early: growth passed --rss-limit-mb after ${stoppedAt} sockets`);
  console.log(`   /healthz meanwhile: worst ${health.worstMs.toFixed(1)} ms, ${health.failures} failed; afterwards HTTP ${answers.status}`);
}

const busyReport = hostileReport('many-pulls', 'busy-node', 0);

async function connectStorm(count: number, backlog: number | undefined, sockets: number): Promise<void> {
  const server = await startServer({
    extraArgs: [...generousLimits(sockets), ...(backlog ? ['--listen-backlog', String(backlog)] : [])],
    entry: 'source',
  });
  try {
    // As after a restart, the server is busy when the crowd arrives: a heavy report keeps its
    // event loop from accepting while the sockets connect, so the accept queue must hold them.
    const busyAgent = new HttpAgent({ keepAlive: false });
    const busy = post(server.httpPort, busyAgent, busyReport).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    const results = { ok: 0, reset: 0, refused: 0, timeout: 0, other: 0 };
    const answeredMs: number[] = [];
    const stormStart = performance.now();
    await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<void>((resolve) => {
            const s = connect({ host: '127.0.0.1', port: server.httpPort });
            let text = '';
            const timer = setTimeout(() => {
              results.timeout++;
              s.destroy();
              resolve();
            }, 30_000);
            const done = (kind: keyof typeof results) => {
              clearTimeout(timer);
              results[kind]++;
              if (kind === 'ok') answeredMs.push(performance.now() - stormStart);
              s.destroy();
              resolve();
            };
            s.setEncoding('utf8');
            s.on('connect', () => s.write('GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n'));
            s.on('data', (c: string) => {
              text += c;
            });
            s.on('end', () => done(text.startsWith('HTTP/1.1 200') ? 'ok' : 'other'));
            s.on('error', (err: NodeJS.ErrnoException) =>
              done(err.code === 'ECONNRESET' ? 'reset' : err.code === 'ECONNREFUSED' ? 'refused' : 'other'),
            );
          }),
      ),
    );
    await busy;
    busyAgent.destroy();
    const label = backlog ? `listen backlog ${backlog}` : 'default listen backlog (PULLTRACE_LISTEN_BACKLOG)';
    console.log(
      `   ${label.padEnd(48)} ${results.ok} answered, ${results.reset} reset, ${results.refused} refused, ${results.timeout} timed out, ${results.other} other; answered within ${median(answeredMs).toFixed(0)} ms (median), ${Math.max(0, ...answeredMs).toFixed(0)} ms (last)`,
    );
  } finally {
    await server.stop();
  }
}

const EVICTION_SOCKETS = 1000;
const EVICTION_ADDRESSES = 50;
const EVICTION_WAIT_MS = 120_000;

/** The server's pulltrace_sse_clients_active (its own connection each time: a busy server may close a kept-alive one). */
function activeStreams(server: TestServer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.metricsPort, path: '/metrics', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve(Number(/^pulltrace_sse_clients_active (\d+)$/m.exec(text)?.[1] ?? Number.NaN)));
    });
    req.on('error', (err) => reject(new Error(`metrics port: ${err.message}`)));
    req.end();
  });
}

/** One viewer's attempt from 127.0.0.1: the status it is answered (the stream is closed at once). */
function tryViewer(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/v1/events', agent: false }, (res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    req.setTimeout(10_000, () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/**
 * The default stream cap (PULLTRACE_MAX_SSE_CLIENTS, 1,000) filled by sockets that read their
 * status line and nothing more, 20 from each of 50 loopback addresses (the default per-address
 * cap), against a 10,000-layer snapshot; the crowd opens new ones as streams close, so it stays at
 * the cap. Then a viewer from another address asks every 250 ms: how long until it gets 200, and
 * the server's RSS growth meanwhile. Default settings otherwise (the stall timeout included).
 */
async function stalledReaderEviction(entry: 'built' | 'source'): Promise<void> {
  console.log(
    `\n5. ${EVICTION_SOCKETS} event streams that never read, from ${EVICTION_ADDRESSES} addresses (127.0.0.2–${1 + EVICTION_ADDRESSES}), fill the stream cap against a 10,000-layer snapshot; then a new viewer`,
  );
  const server = await startServer({
    extraArgs: [
      '--node-report-rate',
      '1000',
      '--max-nodes-per-address',
      '1000',
      '--max-sse-clients',
      String(EVICTION_SOCKETS),
      '--log-level',
      'error',
    ],
    entry: entry,
  });
  const crowd = new Set<Socket>();
  let stopped = false;
  try {
    await buildSnapshot(server);
    await new Promise((r) => setTimeout(r, 500));
    const before = processMemory(server.pid).rss;
    let peak = before;
    const sample = setInterval(() => {
      try {
        peak = Math.max(peak, processMemory(server.pid).rss);
      } catch {
        // the process is gone: reported below
      }
    }, 100);
    let next = 0;
    let pending = 0;
    let refused = 0;
    let opened = 0;
    // A socket that reads the status line and then nothing more; one refused (429/503) is let go.
    const openNonReader = () => {
      const s = connect({ host: '127.0.0.1', port: server.httpPort, localAddress: `127.0.0.${2 + (next++ % EVICTION_ADDRESSES)}` });
      crowd.add(s);
      opened++;
      pending++;
      s.on('error', () => {});
      s.on('close', () => crowd.delete(s));
      s.on('connect', () => s.write('GET /api/v1/events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n'));
      s.once('data', (first: Buffer) => {
        s.pause(); // from here on, never read: what the server writes fills the kernel's buffers, then the server's
        pending--;
        if (!first.toString('latin1', 0, 12).startsWith('HTTP/1.1 200')) {
          refused++;
          s.destroy();
        }
      });
    };
    // The crowd stays at the cap: a paused socket never learns that the server closed it, so the
    // attacker watches the stream count and opens as many as are missing.
    let toppingUp = false;
    const topUp = async () => {
      if (toppingUp || stopped) return;
      toppingUp = true;
      try {
        const missing = EVICTION_SOCKETS - (await activeStreams(server)) - pending;
        for (let i = 0; i < missing; i++) openNonReader();
      } catch {
        // the metrics port did not answer this time
      } finally {
        toppingUp = false;
      }
    };
    const fillStart = performance.now();
    const attacker = setInterval(() => void topUp(), 250);
    const fillDeadline = performance.now() + 60_000;
    let active = await activeStreams(server);
    while (active < EVICTION_SOCKETS && performance.now() < fillDeadline) {
      await new Promise((r) => setTimeout(r, 250));
      active = await activeStreams(server);
    }
    const fullAt = performance.now();
    console.log(`   ${active} streams open after ${((fullAt - fillStart) / 1000).toFixed(1)} s`);

    const statuses = new Map<number, number>();
    let admittedAt: number | undefined;
    while (admittedAt === undefined && performance.now() - fullAt < EVICTION_WAIT_MS) {
      const status = await tryViewer(server.httpPort);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 200) admittedAt = performance.now();
      else await new Promise((r) => setTimeout(r, 250));
    }
    clearInterval(sample);
    clearInterval(attacker);
    const tried = [...statuses].map(([s, n]) => `${n}× ${s === 0 ? 'no answer' : s}`).join(', ');
    console.log(
      admittedAt === undefined
        ? `   the new viewer was NOT let in within ${EVICTION_WAIT_MS / 1000} s (${tried}) (target ≤ 60 s)`
        : `   the new viewer got 200 after ${((admittedAt - fullAt) / 1000).toFixed(1)} s (${tried}) (target ≤ 60 s)`,
    );
    console.log(
      `   RSS before ${(before / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB: growth ${((peak - before) / MB).toFixed(0)} MB (target ≤ 300 MB); the crowd opened ${opened} sockets, ${refused} of them refused`,
    );
  } finally {
    stopped = true;
    for (const s of crowd) s.destroy();
    await server.stop();
  }
}

async function main(): Promise<void> {
  const opts = options();
  console.log(`bench:hostile — load average ${loadavg()[0]?.toFixed(2)} on ${process.env.HOSTNAME ?? 'this machine'} (noisy when loaded)`);
  // The built server (bin/pulltrace, as users run it) when dist/ exists: no TypeScript loader in the process.
  const entry = existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))) ? 'built' : 'source';
  const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : [];
  if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
  console.log(`   server: ${entry === 'built' ? 'bin/pulltrace (dist/)' : 'source via tsx (run npm run build:server for the built one)'}`);
  const server = await startServer({ extraArgs: generousLimits(opts.sseSockets), nodeArgs: nodeArgs, entry: entry });
  try {
    if (opts.phases.has('reports')) await worstReports(server, opts.rounds);
    if (opts.phases.has('streams'))
      await idleStreams(server, opts.sseSockets, opts.rssLimit).catch((err: Error) => {
        // The figure of interest when the hub cannot cope: the server died (out of memory, most likely).
        const alive = (() => {
          try {
            processMemory(server.pid);
            return true;
          } catch {
            return false;
          }
        })();
        console.log(`   ${alive ? 'failed' : 'THE SERVER PROCESS DIED'} during this phase: ${err.message}`);
      });
  } finally {
    await server.stop();
  }
  if (opts.phases.has('reads')) await readPhase({ ...opts.reads, serverArgs: generousLimits(opts.sseSockets), nodeArgs, entry });
  if (opts.phases.has('eviction')) await stalledReaderEviction(entry);
  if (opts.phases.has('connect')) {
    console.log(`\n4. ${opts.connect} sockets connecting at once to a busy server (raw TCP, each asking GET /healthz)`);
    await connectStorm(opts.connect, undefined, opts.sseSockets);
    await connectStorm(opts.connect, 511, opts.sseSockets);
  }
  if (opts.phases.has('token-reviews')) await tokenReviewFlood({ junk: opts.junkTokens, nodeArgs, entry, healthProbe });
  if (opts.phases.has('api-outage'))
    await apiOutage({ outageMs: opts.outageMs, nodeTimeout: opts.nodeTimeout, agents: opts.outageAgents, nodeArgs, entry });
  console.log(`\nload average at the end: ${loadavg()[0]?.toFixed(2)}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
