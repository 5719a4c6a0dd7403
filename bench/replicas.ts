// Replica benchmark: two real server processes on a shared report log (a real nats-server with
// JetStream started here), N simulated nodes each posting a full report every second, alternately
// to one replica or the other, and one SSE viewer (`layers=0`) on each replica. Prints accepted
// reports/s, post latency (p50/p99; the post waits for NATS's acknowledgement), CPU (share of one
// core) and RSS of each replica, and how far apart the same event (same id) reached the viewers of
// the two replicas (p50/p99): the replication lag as a viewer sees it.
//
//   npm run bench:replicas                          # 500 nodes, 20 s
//   npm run bench:replicas -- --nodes 2000 --seconds 30
//   npm run bench:replicas -- --bus none            # the same load on two independent servers (baseline)
// The servers measured are the built ones (bin/pulltrace, dist/): run `npm run build:server` first.
// Figures on a loaded machine are noisy; compare runs on the same machine.
import { parseArgs } from 'node:util';
import { startNats } from '../test/harness/nats.js';
import { SseRecorder } from '../test/support/sseClient.js';
import { percentile } from './lib/percentile.js';
import { processCpuSeconds, processMemory } from './lib/procStats.js';
import { type ServerProcess, startServerProcess } from './lib/serverProcess.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '20' },
    // 'none': the same load on two independent servers, to tell the log's cost from the client's
    bus: { type: 'string', default: 'nats' },
  },
});
const NODES = Number(values.nodes);
const SECONDS = Number(values.seconds);
const MiB = 1048576;
const SERVER_ARGS = ['--max-nodes', '20000', '--max-nodes-per-address', '20000', '--node-report-rate', '10', '--log-level', 'warn'];

function report(node: number, downloaded: number) {
  return JSON.stringify({
    nodeName: `bench-node-${node}`,
    pulls: [
      {
        imageRef: `registry.example.com/app-${node}:1`,
        manifestDigest: `sha256:${String(node).padStart(64, '0')}`,
        status: 'pulling',
        totalKnown: true,
        startedAt: START,
        layers: [
          {
            digest: `sha256:${String(node).padStart(63, '0')}1`,
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            totalBytes: 1024 * MiB,
            downloadedBytes: downloaded,
            totalKnown: true,
          },
        ],
      },
    ],
  });
}
const START = new Date().toISOString();

async function main(): Promise<void> {
  const nats = await startNats();
  const replicas: ServerProcess[] = [];
  try {
    for (let i = 0; i < 2; i++)
      replicas.push(await startServerProcess(['--bus', nats.url, '--cluster', 'bench', ...SERVER_ARGS], [], 'built'));
    const urls = replicas.map((r) => `http://127.0.0.1:${r.httpPort}`);
    const viewers = await Promise.all(urls.map((u) => SseRecorder.connect(`${u}/api/v1/events?layers=0`)));
    const latencies: number[] = [];
    let accepted = 0;
    let refused = 0;
    const cpu0 = replicas.map((r) => processCpuSeconds(r.pid));
    const rssMax = [0, 0];
    const t0 = performance.now();
    for (let second = 0; second < SECONDS; second++) {
      const tick = performance.now();
      await Promise.all(
        Array.from({ length: NODES }, async (_, node) => {
          const replica = (node + second) % 2;
          const bytes = (second + 1) * MiB;
          const started = performance.now();
          const res = await fetch(`${urls[replica]}/api/v1/report`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: report(node, bytes),
          });
          await res.arrayBuffer();
          latencies.push(performance.now() - started);
          if (res.status === 200) {
            accepted++;
          } else refused++;
        }),
      );
      for (const [i, r] of replicas.entries()) rssMax[i] = Math.max(rssMax[i]!, processMemory(r.pid).rss);
      const wait = 1000 - (performance.now() - tick);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const elapsed = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    // Replicas give an event the same id: how far apart did each id reach the two viewers?
    const firstSeen = viewers.map((v) => {
      const at = new Map<string, number>();
      v.messages.forEach((m, k) => {
        if (!m.event && m.id !== undefined && !at.has(m.id)) at.set(m.id, v.arrivals[k] ?? 0);
      });
      return at;
    });
    const skews: number[] = [];
    for (const [id, at0] of firstSeen[0] ?? []) {
      const at1 = firstSeen[1]?.get(id);
      if (at1 !== undefined) skews.push(Math.abs(at1 - at0));
    }
    skews.sort((a, b) => a - b);
    console.log(`replicas: 2 ${values.bus === 'none' ? 'independent (no bus)' : 'on NATS JetStream'}; nodes: ${NODES}; ${SECONDS} s`);
    console.log(
      `accepted: ${(accepted / elapsed).toFixed(0)}/s (refused ${refused}); post latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
    console.log(
      values.bus === 'none'
        ? 'event skew between replicas: none (no log: each server has only its own reports)'
        : `event skew between replicas (the same event id on both viewers): p50 ${percentile(skews, 50).toFixed(1)} ms, p99 ${percentile(skews, 99).toFixed(1)} ms (${skews.length} events on both)`,
    );
    for (const [i, r] of replicas.entries()) {
      const share = (processCpuSeconds(r.pid) - cpu0[i]!) / elapsed;
      console.log(`replica ${i}: CPU ${(share * 100).toFixed(0)}% of one core, RSS max ${(rssMax[i]! / MiB).toFixed(0)} MiB`);
    }
    for (const v of viewers) v.close();
  } finally {
    for (const r of replicas) await r.stop();
    await nats.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
