// The read phase of bench:hostile: ten clients reading as expensively as the API allows, at the
// documented maximums (a million history rows, 50,000 live pulls), while agents keep reporting.
// Prints, for a window with agents only and a window with the readers added: the worst /healthz
// latency (a probe in its own thread), the server's worst event-loop block (prom-client's
// nodejs_eventloop_lag_max_seconds, from perf_hooks.monitorEventLoopDelay in the server process,
// reset at each scrape), and the agents' report latency p50/p99.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createLogger } from '../../src/log/index.js';
import type { AgentReport, PullStatus } from '../../src/model/index.js';
import { HistoryStore } from '../../src/store/historyStore.js';
import { getText, startServer, type TestServer } from '../../test/kit/index.js';
import { percentile } from './percentile.js';

export interface ReadPhaseOptions {
  historyRows: number;
  livePulls: number;
  /** seconds of each measured window */
  seconds: number;
  readers: number;
  /** a history file to reuse (built there when missing); a temporary one when absent */
  historyDb?: string;
  /** server flags the caller's other phases use (limits set high) */
  serverArgs: string[];
  /** Node flags of the server process (a CPU profile) */
  nodeArgs: string[];
  entry: 'built' | 'source';
}

const LAYERS_PER_PULL = 8;
/** pulls of one loaded node: under PULLTRACE_MAX_PULLS_PER_NODE's 256 and 2,048 layers a report */
const PULLS_PER_NODE = 250;
const AGENTS = 40;
const AGENT_PULLS = 10;
const hex = (n: number, width = 64) => n.toString(16).padStart(width, '0');

function historyPull(i: number, completedAtMs: number): PullStatus {
  const id = hex(i, 16);
  return {
    id,
    nodeName: `node-${i % 500}`,
    imageRef: `registry.example.com/team-${i % 40}/app-${i % 300}:1.${i % 17}`,
    status: i % 20 === 0 ? 'failed' : 'completed',
    totalBytes: LAYERS_PER_PULL * 10_000_000,
    downloadedBytes: LAYERS_PER_PULL * 10_000_000,
    cachedBytes: 0,
    bytesPerSec: 0,
    percent: 100,
    layerCount: LAYERS_PER_PULL,
    layersDone: LAYERS_PER_PULL,
    startedAt: new Date(completedAtMs - 60_000).toISOString(),
    completedAt: new Date(completedAtMs).toISOString(),
    pods: [{ namespace: `ns-${i % 50}`, podName: `app-${i}`, container: 'main', image: 'app:1' }],
    totalKnown: true,
    layers: Array.from({ length: LAYERS_PER_PULL }, (_, l) => ({
      pullId: id,
      digest: `sha256:${hex(i * 100 + l)}`,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      totalBytes: 10_000_000,
      downloadedBytes: 10_000_000,
      bytesPerSec: 0,
      percent: 100,
      totalKnown: true,
      state: 'done' as const,
    })),
  };
}

/** `rows` finished pulls, the newest an hour old (outside the live view's TTL, inside retention). */
function buildHistory(path: string, rows: number): void {
  const store = HistoryStore.open(path, createLogger('error'));
  if (store.size >= rows) {
    console.log(`   history: reusing ${path} (${store.size} rows)`);
    store.close();
    return;
  }
  const start = performance.now();
  const newest = Date.now() - 3_600_000;
  // Spread over 100 hours: every row stays inside the default 168 h retention.
  const step = Math.floor((100 * 3_600_000) / rows);
  for (let i = store.size; i < rows; i++) {
    store.enqueue(historyPull(i, newest - (rows - i) * step));
    if (i % 2000 === 1999) store.flush();
  }
  store.close();
  console.log(`   history: wrote ${rows} rows to ${path} in ${((performance.now() - start) / 1000).toFixed(0)} s`);
}

function loadedNodeReport(node: number): string {
  const report: AgentReport = {
    nodeName: `loaded-${node}`,
    pulls: Array.from({ length: PULLS_PER_NODE }, (_, p) => ({
      imageRef: `registry.example.com/team-${p % 7}/service-${p}:1.0`,
      manifestDigest: `sha256:${hex(node * 1000 + p)}`,
      startedAt: new Date(Date.now() - 60_000 + p).toISOString(),
      status: 'pulling' as const,
      totalKnown: true,
      layers: Array.from({ length: LAYERS_PER_PULL }, (_, l) => ({
        digest: `sha256:${hex(node * 1_000_000 + p * 100 + l)}`,
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        totalBytes: 50_000_000,
        downloadedBytes: 1_000_000 * (l + 1),
        totalKnown: true,
        state: 'downloading' as const,
      })),
    })),
  };
  return JSON.stringify(report);
}

function agentReport(agent: number, round: number, startedAt: string): string {
  const report: AgentReport = {
    nodeName: `agent-${agent}`,
    pulls: Array.from({ length: AGENT_PULLS }, (_, p) => ({
      imageRef: `registry.example.com/agents/app-${p}:2.0`,
      manifestDigest: `sha256:${hex(9_000_000 + agent * 100 + p)}`,
      startedAt,
      status: 'pulling' as const,
      totalKnown: true,
      layers: Array.from({ length: LAYERS_PER_PULL }, (_, l) => ({
        digest: `sha256:${hex(900_000_000 + agent * 10_000 + p * 100 + l)}`,
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        totalBytes: 500_000_000,
        downloadedBytes: Math.min(500_000_000, (round + 1) * 100_000 * (l + 1)),
        totalKnown: true,
        state: 'downloading' as const,
      })),
    })),
  };
  return JSON.stringify(report);
}

function post(port: number, agent: HttpAgent, body: string): Promise<{ status: number; ms: number }> {
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

// Readers and the /healthz probe each run in a worker thread: their timings are the server's, not
// this process's pauses (it builds reports and reads the others' answers).
const READERS_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, paths } = workerData;
let running = true;
const results = [];
parentPort.on('message', () => { running = false; });
function readLoop(path) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise((resolve) => {
    const once = () => {
      if (!running) { agent.destroy(); resolve(); return; }
      const start = performance.now();
      let bytes = 0;
      const req = http.request({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.on('data', (c) => { bytes += c.length; });
        res.on('end', () => { results.push({ path, status: res.statusCode, ms: performance.now() - start, bytes }); once(); });
      });
      req.on('error', (err) => { results.push({ path, status: 0, ms: performance.now() - start, bytes, error: err.message }); setTimeout(once, 50); });
      req.end();
    };
    once();
  });
}
Promise.all(paths.map(readLoop)).then(() => parentPort.postMessage(results));
`;

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

interface Stoppable<T> {
  stop(): Promise<T>;
}

function inWorker<T>(source: string, workerData: unknown): Stoppable<T> {
  const worker = new Worker(source, { eval: true, workerData });
  const result = new Promise<T>((resolve, reject) => {
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

/** The server's worst event-loop delay since the previous scrape, in ms. */
async function loopMaxMs(server: TestServer): Promise<number> {
  const text = (await getText(server.metricsPort, '/metrics')).body;
  const m = /^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text);
  return m ? Number(m[1]) * 1000 : Number.NaN;
}

/** The reads a hostile but well-formed client can make, each as costly as the limits allow. */
const WORST_READS = [
  // every live pull, with layers (50,000 × 8 layers: tens of MB)
  '/api/v1/pulls',
  // a pod filter that matches nothing: every history row is checked
  '/api/v1/history?pod=no-such-pod&limit=500',
  // the largest page of history, with layers
  '/api/v1/history?limit=500',
  // a substring filter that matches nothing, on indexed columns
  '/api/v1/history?image=no-such-image&limit=500',
  // the largest page of live pulls, with layers
  '/api/v1/pulls?limit=500',
];

async function measureWindow(label: string, server: TestServer, seconds: number, readerPaths: string[]): Promise<void> {
  const agentConn = new HttpAgent({ keepAlive: true, maxSockets: AGENTS });
  const startedAt = new Date(Date.now() - 5_000).toISOString();
  await loopMaxMs(server); // resets the server's histogram
  const probe = inWorker<{ worstMs: number; count: number; failures: number }>(PROBE_WORKER, { port: server.httpPort });
  const readers =
    readerPaths.length > 0
      ? inWorker<Array<{ path: string; status: number; ms: number; bytes: number }>>(READERS_WORKER, {
          port: server.httpPort,
          paths: readerPaths,
        })
      : undefined;
  const reportMs: number[] = [];
  const statuses = new Map<number, number>();
  const end = performance.now() + seconds * 1000;
  // Each agent reports once a second, as agents do (spread over the second).
  await Promise.all(
    Array.from({ length: AGENTS }, async (_, a) => {
      await new Promise((r) => setTimeout(r, (a * 1000) / AGENTS));
      for (let round = 0; performance.now() < end; round++) {
        const next = performance.now() + 1000;
        const answer = await post(server.httpPort, agentConn, agentReport(a, round, startedAt)).catch(() => ({ status: 0, ms: 0 }));
        reportMs.push(answer.ms);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
      }
    }),
  );
  const health = await probe.stop();
  const reads = (await readers?.stop()) ?? [];
  const loopMax = await loopMaxMs(server);
  agentConn.destroy();
  reportMs.sort((a, b) => a - b);
  console.log(`   ${label}:`);
  console.log(
    `     reports: ${reportMs.length} (HTTP ${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')}), p50 ${percentile(reportMs, 50).toFixed(1)} ms, p99 ${percentile(reportMs, 99).toFixed(1)} ms, max ${(reportMs.at(-1) ?? 0).toFixed(1)} ms`,
  );
  console.log(`     /healthz worst: ${health.worstMs.toFixed(1)} ms over ${health.count} probes, ${health.failures} failed`);
  console.log(`     server event loop: worst block ${loopMax.toFixed(1)} ms (nodejs_eventloop_lag_max_seconds; target ≤ 50 ms)`);
  for (const path of new Set(reads.map((r) => r.path))) {
    const mine = reads.filter((r) => r.path === path);
    const times = mine.map((r) => r.ms).sort((a, b) => a - b);
    const codes = [...new Set(mine.map((r) => r.status))].join(',');
    const mb = mine.reduce((n, r) => n + r.bytes, 0) / mine.length / 1024 / 1024;
    console.log(
      `     read ${path.padEnd(48)} ${String(mine.length).padStart(4)}× HTTP ${codes}, ${mb.toFixed(1)} MB each, median ${percentile(times, 50).toFixed(0)} ms, max ${(times.at(-1) ?? 0).toFixed(0)} ms`,
    );
  }
}

export async function readPhase(opts: ReadPhaseOptions): Promise<void> {
  console.log(
    `\n5. ${opts.readers} concurrent worst-case reads at the maximums (${opts.historyRows} history rows, ${opts.livePulls} live pulls) while ${AGENTS} agents report`,
  );
  const tempDir = opts.historyDb ? undefined : mkdtempSync(join(tmpdir(), 'pulltrace-bench-reads-'));
  const dbPath = opts.historyDb ?? join(tempDir as string, 'history.db');
  if (opts.historyDb && !existsSync(opts.historyDb)) console.log(`   history: building ${opts.historyDb} (kept for later runs)`);
  buildHistory(dbPath, opts.historyRows);
  const loadedNodes = Math.ceil(opts.livePulls / PULLS_PER_NODE);
  const server = await startServer({
    extraArgs: [
      ...opts.serverArgs,
      '--db',
      dbPath,
      '--max-pulls',
      String(loadedNodes * PULLS_PER_NODE + AGENTS * AGENT_PULLS),
      '--max-nodes',
      String(loadedNodes + AGENTS + 10),
      // The loaded nodes stay silent: their pulls must neither fail nor all stall at once (50,000
      // transitions in one tick would be measured instead of the reads).
      '--node-timeout',
      '1h',
      '--stall-timeout',
      '1h',
      // Every read admitted: the phase measures what admitted reads cost, not the limiter.
      '--read-rate',
      '10000',
      '--read-burst',
      '10000',
    ],
    nodeArgs: opts.nodeArgs,
    entry: opts.entry,
  });
  try {
    const conn = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    const loadStart = performance.now();
    for (let n = 0; n < loadedNodes; n++) {
      const answer = await post(server.httpPort, conn, loadedNodeReport(n));
      if (answer.status !== 200) throw new Error(`loading node ${n}: HTTP ${answer.status}`);
    }
    conn.destroy();
    const live = JSON.parse((await getText(server.httpPort, '/api/v1/pulls?node=loaded-0&layers=0')).body) as { pulls: unknown[] };
    console.log(
      `   live view: ${loadedNodes} nodes × ${PULLS_PER_NODE} pulls × ${LAYERS_PER_PULL} layers loaded in ${((performance.now() - loadStart) / 1000).toFixed(0)} s (node=loaded-0 matches ${live.pulls.length} pulls)`,
    );
    await measureWindow('agents only', server, opts.seconds, []);
    const paths = Array.from({ length: opts.readers }, (_, i) => WORST_READS[i % WORST_READS.length] as string);
    await measureWindow(`agents and ${opts.readers} readers`, server, opts.seconds, paths);
  } finally {
    await server.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}
