// `npm run bench:agent -- --runtime crio`: the cost of `pulltrace agent --runtime crio` on a node
// with 10 concurrent pulls (skopeo standing in for CRI-O: test/kit/harness/crioNode.ts) × 3 layers
// through a throttle. The agent runs as its own process and reports to a sink; its CPU
// (utime+stime from /proc) and RSS are sampled over a window while at least 5 pull folders
// exist, then over an idle window of the same length. Prints figures; asserts nothing.
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  buildAndPushImage,
  imageRef,
  makeCrioNode,
  ProcessGroup,
  startProcess,
  startRegistry,
  startThrottleProxy,
  waitFor,
} from '../../test/kit/index.js';
import { processCpuSeconds, processMemory } from './procStats.js';

const MiB = 1 << 20;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CrioBenchOptions {
  intervalMs: number;
  pulls: number;
  layers: number;
  layerMiB: number;
  loadRate: number;
  windowSeconds: number;
}

export async function runCrioAgentBench(o: CrioBenchOptions): Promise<void> {
  const group = new ProcessGroup();
  let reports = 0;
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      reports++;
      res.setHeader('content-type', 'application/json');
      res.end('{"accepted":true}');
    });
  });
  sink.listen(0, '127.0.0.1');
  await once(sink, 'listening');
  const node = await makeCrioNode();
  try {
    const registry = group.track(await startRegistry(), 'registry');
    const proxy = group.track(await startThrottleProxy({ host: '127.0.0.1', port: registry.port }, { bytesPerSec: o.loadRate }), 'proxy');
    const images = [];
    for (let i = 0; i < o.pulls; i++) {
      images.push(
        await buildAndPushImage(registry.host, {
          repository: `bench/crio${i}`,
          tag: 'v1',
          layers: Array.from({ length: o.layers }, () => ({ size: o.layerMiB * MiB })),
        }),
      );
    }
    const agent = group.track(
      startProcess(
        process.execPath,
        [
          '--import',
          'tsx',
          `${ROOT}test/kit/cli.ts`,
          'agent',
          '--runtime',
          'crio',
          '--server-url',
          `http://127.0.0.1:${(sink.address() as AddressInfo).port}`,
          '--node-name',
          'bench-crio',
          '--report-interval',
          `${o.intervalMs}ms`,
          '--crio-socket',
          `${node.tmpDir}/no-crio.sock`,
          '--crio-tmp-dir',
          node.tmpDir,
          '--crio-storage-root',
          node.storageRoot,
          '--crio-cache-dir',
          node.cacheDir,
        ],
        { name: 'pulltrace agent --runtime crio' },
      ),
      'agent',
    );
    await waitFor(() => reports > 0, { timeoutMs: 30_000, what: 'the agent to report' });
    const pulls = images.map((image) => group.track(node.pull(imageRef(proxy.host, image)), 'pull'));
    const folders = () => readdirSync(node.tmpDir).filter((n) => n.startsWith('container_images_storage')).length;
    await waitFor(() => folders() >= Math.min(5, o.pulls), { timeoutMs: 60_000, what: 'the pulls to start' });
    const load = await sample(agent.pid, o.windowSeconds, () => reports);
    const active = folders();
    for (const p of pulls) await p.exited;
    const idle = await sample(agent.pid, o.windowSeconds, () => reports);
    console.log(
      `pulltrace agent --runtime crio (from source, tsx), ${o.pulls} concurrent pulls × ${o.layers} × ${o.layerMiB} MiB at ${(o.loadRate / MiB).toFixed(1)} MiB/s, interval ${o.intervalMs} ms, ${active} pull folders at the end of the load window`,
    );
    for (const [what, s] of [
      ['pulling', load],
      ['idle', idle],
    ] as const) {
      console.log(
        `  ${what.padEnd(8)} ${(s.cpuShare * 100).toFixed(2)} % of one core, ${s.msPerReport.toFixed(1)} ms CPU per report, RSS ${(s.rss / MiB).toFixed(0)} MB (${s.reports} reports in ${o.windowSeconds} s)`,
      );
    }
  } finally {
    await group.close();
    sink.close();
    await node.remove();
  }
}

async function sample(pid: number, seconds: number, reports: () => number) {
  const cpu0 = processCpuSeconds(pid);
  const r0 = reports();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpu = processCpuSeconds(pid) - cpu0;
  const wall = (performance.now() - t0) / 1000;
  const n = Math.max(1, reports() - r0);
  return { cpuShare: cpu / wall, msPerReport: (cpu * 1000) / n, rss: processMemory(pid).rss, reports: n };
}
