// Event streams that never read, against a large snapshot: 1,000 raw sockets (from one address:
// the per-address cap is raised for the bench) ask for /api/v1/events with layers
// while 10 nodes report pulls of 1,000 layers each (a 10,000-layer snapshot) and keep reporting
// progress. Prints the server's RSS growth, /healthz worst latency meanwhile, and how many of
// the idle streams the server dropped (its event-stream gauge).
//
//   npm run build:server && npm run bench:sse-idle -- [--sockets 1000] [--seconds 40] [--node-args=--max-old-space-size=256]
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { startServer } from '../test/kit/index.js';
import { processMemory } from './lib/procStats.js';

const NODES = 10;
const LAYERS = 1000;
const MiB = 2 ** 20;

function options(): { sockets: number; seconds: number; nodeArgs: string[] } {
  const { values } = parseArgs({
    options: {
      sockets: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '40' },
      'node-args': { type: 'string', default: '' },
    },
  });
  const sockets = Number(values.sockets);
  const seconds = Number(values.seconds);
  if (!Number.isInteger(sockets) || sockets < 1) throw new Error(`--sockets: "${values.sockets}" is not a positive integer`);
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`--seconds: "${values.seconds}" is not a positive integer`);
  return { sockets, seconds, nodeArgs: values['node-args'].split(' ').filter(Boolean) };
}

function call(port: number, method: string, path: string, body?: string): Promise<{ status: number; text: string; ms: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - start }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function report(node: number, round: number): string {
  const layers = Array.from({ length: LAYERS }, (_, i) => {
    const total = 1_000_000;
    const done = Math.min(total, round * 20_000 + i * 7);
    return {
      digest: `sha256:${node.toString(16).padStart(4, '0')}${i.toString(16).padStart(60, '0')}`,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      totalBytes: total,
      downloadedBytes: done,
      totalKnown: true,
      state: done >= total ? 'done' : 'downloading',
    };
  });
  return JSON.stringify({
    nodeName: `big-${node}`,
    pulls: [
      {
        imageRef: `registry.example.com/big/image-${node}:1`,
        manifestDigest: `sha256:m${node}`,
        status: 'pulling',
        totalKnown: true,
        layers,
      },
    ],
  });
}

async function gauge(metricsPort: number): Promise<number> {
  const m = await call(metricsPort, 'GET', '/metrics');
  return Number(/^pulltrace_sse_clients_active (\S+)$/m.exec(m.text)?.[1] ?? Number.NaN);
}

async function run(): Promise<void> {
  const opts = options();
  const server = await startServer({
    extraArgs: [
      '--node-report-rate',
      '100',
      '--max-sse-clients',
      String(opts.sockets + 100),
      '--max-sse-per-address',
      String(opts.sockets + 100),
      '--log-level',
      'warn',
    ],
    nodeArgs: opts.nodeArgs,
    entry: 'built',
  });
  const sockets: Socket[] = [];
  try {
    for (let n = 0; n < NODES; n++) {
      const r = await call(server.httpPort, 'POST', '/api/v1/report', report(n, 0));
      if (r.status !== 200) throw new Error(`report for big-${n}: HTTP ${r.status} ${r.text}`);
    }
    const before = processMemory(server.pid).rss;
    let peak = before;
    for (let i = 0; i < opts.sockets; i++) {
      const s = connect({ host: '127.0.0.1', port: server.httpPort });
      s.on('error', () => {});
      s.on('connect', () => {
        s.write('GET /api/v1/events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n');
        s.pause();
      });
      sockets.push(s);
      if (i % 50 === 49) {
        await new Promise((r) => setTimeout(r, 10));
        peak = Math.max(peak, processMemory(server.pid).rss);
      }
    }
    const connected = await gauge(server.metricsPort);
    let worstHealth = 0;
    const end = performance.now() + opts.seconds * 1000;
    for (let round = 1; performance.now() < end; round++) {
      for (let n = 0; n < NODES; n++) await call(server.httpPort, 'POST', '/api/v1/report', report(n, round));
      const h = await call(server.httpPort, 'GET', '/healthz');
      worstHealth = Math.max(worstHealth, h.ms);
      peak = Math.max(peak, processMemory(server.pid).rss);
      await new Promise((r) => setTimeout(r, 250));
    }
    const left = await gauge(server.metricsPort);
    console.log(`${opts.sockets} non-reading event streams with layers, ${NODES * LAYERS}-layer snapshot, ${opts.seconds} s of progress`);
    console.log(`  streams open after connecting  ${connected}`);
    console.log(
      `  RSS before ${(before / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB: growth ${((peak - before) / MiB).toFixed(0)} MiB (target ≤ 300)`,
    );
    console.log(`  /healthz worst latency          ${worstHealth.toFixed(1)} ms`);
    console.log(`  streams still open at the end   ${left} (the rest were dropped as non-readers)`);
  } finally {
    for (const s of sockets) s.destroy();
    await server.stop();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:sseIdle failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
