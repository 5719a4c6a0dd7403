// Memory footprint of live pulls in the tracker: heap growth after garbage collection with 2,000
// pulls of 1, 8 and 32 layers (each reported five times, as agents do every second), hence the
// cost of a pull and of each of its layers. In-process: the heap is the tracker's alone.
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

function report(n: number, layers: number, round: number) {
  return {
    nodeName: `node-${n}`,
    pulls: [
      {
        imageRef: `registry.example.com/team/app-${n}:1.0`,
        manifestDigest: `sha256:${String(n).padStart(64, '0')}`,
        status: 'pulling' as const,
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

function bytesPerPull(layers: number): number {
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
  return grown / PULLS;
}

const figures = [1, 8, 32].map((layers) => ({ layers, bytes: bytesPerPull(layers) }));
for (const f of figures) console.log(`${PULLS} pulls × ${f.layers} layers: ${f.bytes.toFixed(0)} B per pull`);
const perLayer = (figures[2]!.bytes - figures[1]!.bytes) / 24;
console.log(`per layer ≈ ${perLayer.toFixed(0)} B; per pull without layers ≈ ${(figures[0]!.bytes - perLayer).toFixed(0)} B`);
