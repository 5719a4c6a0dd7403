// Memory footprint of pulls in the tracker: heap growth after garbage collection with 2,000
// pulls of 1, 8 and 32 layers (each reported five times, as agents do every second), hence the
// cost of a pull and of each of its layers; then the same pulls finished, as they are kept until
// HISTORY_TTL. In-process: the heap is the tracker's alone.
//
//   node --expose-gc --import tsx bench/pullMemory.ts
import { PullEventBus } from '../src/server/events/pullEventBus.js';
import { PullTracker } from '../src/server/tracker/pullTracker.js';

const PULLS = 2000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc (see the header)');
  process.exit(1);
}

function report(n: number, layers: number, round: number, status: 'pulling' | 'completed' = 'pulling') {
  return {
    nodeName: `node-${n}`,
    pulls: [
      {
        imageRef: `registry.example.com/team/app-${n}:1.0`,
        manifestDigest: `sha256:${String(n).padStart(64, '0')}`,
        status,
        totalKnown: true,
        startedAt: new Date(0).toISOString(),
        layers: Array.from({ length: layers }, (_, i) => ({
          digest: `sha256:${String(n * 100 + i).padStart(64, 'a')}`,
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          totalBytes: 50_000_000,
          downloadedBytes: round * 1_000_000 + i,
          totalKnown: true,
          state: 'downloading' as const,
        })),
      },
    ],
  };
}

/** Heap per pull, active (reported five times) and then finished (kept until HISTORY_TTL). */
function bytesPerPull(layers: number): { active: number; finished: number } {
  const tracker = new PullTracker(new PullEventBus(), {
    stallTimeoutMs: 30_000,
    historyTtlMs: 1_800_000,
    maxNodes: 100_000,
    maxPulls: 1_000_000,
  } as ConstructorParameters<typeof PullTracker>[1]);
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const t0 = Date.now();
  for (let round = 0; round < 5; round++)
    for (let n = 0; n < PULLS; n++) tracker.applyReport(report(n, layers, round) as never, t0 + round * 1000);
  gc?.();
  const grown = process.memoryUsage().heapUsed - before;
  if (tracker.counts().active !== PULLS) throw new Error('the tracker does not hold every pull');
  for (let n = 0; n < PULLS; n++) tracker.applyReport(report(n, layers, 5, 'completed') as never, t0 + 5000);
  gc?.();
  const finished = process.memoryUsage().heapUsed - before;
  if (tracker.counts().active !== 0 || tracker.counts().pulls !== PULLS) throw new Error('the tracker does not keep every finished pull');
  return { active: grown / PULLS, finished: finished / PULLS };
}

const figures = [1, 8, 32].map((layers) => ({ layers, bytes: bytesPerPull(layers) }));
for (const f of figures)
  console.log(
    `${PULLS} pulls × ${f.layers} layers: ${f.bytes.active.toFixed(0)} B per active pull, ${f.bytes.finished.toFixed(0)} B per finished pull`,
  );
for (const kind of ['active', 'finished'] as const) {
  const perLayer = (figures[2]!.bytes[kind] - figures[1]!.bytes[kind]) / 24;
  console.log(
    `${kind}: per layer ≈ ${perLayer.toFixed(0)} B; per pull without layers ≈ ${(figures[0]!.bytes[kind] - perLayer).toFixed(0)} B`,
  );
}
