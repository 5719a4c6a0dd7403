// Kubernetes-watch memory benchmark: a real server process watching a fake API server (the test
// harness's, speaking real list/watch) that serves N realistic pods (managed fields, env, volumes,
// probes, many labels and annotations; 1 % of them waiting on an image). Prints the server's RSS
// once the pods are listed and watched, the growth over a run with no pods, per pod, and the
// time the paged list took.
//
//   npm run bench:kube                         # 10,000 / 50,000 / 150,000 pods
//   npm run bench:kube -- --pods 20000
//   npm run bench:kube -- --pods 50000 --node-args "--max-old-space-size=256"   # as under a memory limit
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeKubeApi, realisticPod, startServer, writeKubeconfig } from '../test/kit/index.js';
import { processMemory } from './lib/procStats.js';

const PODS_PER_NODE = 110; // the kubelet's default max-pods
const WAITING_SHARE = 0.01;
const SETTLE_MS = 5000;

interface Figures {
  pods: number;
  rssMiB: number;
  listSeconds: number;
  jsonBytesPerPod: number;
}

function options(): { pods: number[]; nodeArgs: string[] } {
  const { values } = parseArgs({
    options: { pods: { type: 'string', default: '10000,50000,150000' }, 'node-args': { type: 'string', default: '' } },
  });
  const pods = values.pods.split(',').map((t) => {
    const n = Number(t.trim());
    if (!Number.isInteger(n) || n < 0) throw new Error(`--pods: "${t}" is not a non-negative integer (example: --pods 10000,50000)`);
    return n;
  });
  return { pods, nodeArgs: values['node-args'].split(' ').filter(Boolean) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runOnce(count: number, nodeArgs: string[]): Promise<Figures> {
  const api = await FakeKubeApi.start();
  const dir = await mkdtemp(join(tmpdir(), 'bench-kube-'));
  let jsonBytes = 0;
  try {
    for (let i = 0; i < count; i++) {
      const node = `node-${String(Math.floor(i / PODS_PER_NODE)).padStart(5, '0')}`;
      // every hundredth pod is being created: its image is being pulled
      const waiting = i % Math.round(1 / WAITING_SHARE) === 0;
      const pod = realisticPod(i, node, waiting ? { waiting: { reason: 'ContainerCreating' } } : { running: {} });
      if (i < 100) jsonBytes += JSON.stringify(pod).length;
      api.apply(pod);
    }
    process.env.KUBECONFIG = await writeKubeconfig(dir, api.url);
    const startedAt = performance.now();
    const server = await startServer({ extraArgs: ['--kubernetes', 'auto', '--log-level', 'warn'], nodeArgs: nodeArgs, entry: 'built' });
    try {
      // The informer watches once its (paged) list is applied.
      await api.waitForWatches(1, 'pods', 15 * 60_000);
      const listSeconds = (performance.now() - startedAt) / 1000;
      await sleep(SETTLE_MS);
      let rss = Number.POSITIVE_INFINITY;
      // The lowest of a few samples: between garbage collections.
      for (let k = 0; k < 5; k++) {
        rss = Math.min(rss, processMemory(server.pid).rss);
        await sleep(500);
      }
      return { pods: count, rssMiB: rss / 2 ** 20, listSeconds, jsonBytesPerPod: count > 0 ? jsonBytes / Math.min(count, 100) : 0 };
    } finally {
      await server.stop();
    }
  } finally {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function run(): Promise<void> {
  const { pods, nodeArgs } = options();
  console.log(
    `kube benchmark: the built server (bin/pulltrace) watching ${pods.join(', ')} realistic pods (${WAITING_SHARE * 100} % waiting)`,
  );
  if (nodeArgs.length > 0) console.log(`server node flags: ${nodeArgs.join(' ')}`);
  const base = await runOnce(0, nodeArgs);
  console.log(`baseline: server RSS ${base.rssMiB.toFixed(0)} MiB with no pods`);
  console.log('\n   pods  list+watch s  RSS MiB  growth MiB  per pod  (pod JSON)');
  for (const n of pods) {
    const f = await runOnce(n, nodeArgs);
    const growth = f.rssMiB - base.rssMiB;
    console.log(
      `${String(n).padStart(7)}  ${f.listSeconds.toFixed(1).padStart(12)}  ${f.rssMiB.toFixed(0).padStart(7)}  ${growth.toFixed(0).padStart(10)}  ${`${((growth * 2 ** 20) / n).toFixed(0)} B`.padStart(7)}  (${(f.jsonBytesPerPod / 1024).toFixed(1)} KiB)`,
    );
  }
  console.log('\nRSS is the lowest of five samples after the list; the machine is shared, so times are noisy.');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:kube failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
