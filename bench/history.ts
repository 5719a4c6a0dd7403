// History and report-limit benchmark (npm run bench:history): what the bounds of the history store
// and the agent's report trimming cost, on a real SQLite file.
//
//  - bytes per row: layers as LayerStatus JSON (format 1) vs the compact form (format 2)
//  - write rate; open time of a big file (the one COUNT(*) behind row-count pruning)
//  - start-up restore of the capped number of most recent pulls
//  - row-count pruning: time of each PRUNE_BATCH_ROWS batch (how long ingest can wait behind one)
//  - the agent's fitReport on the largest report it can be asked to trim
//
//   npm run bench:history                    # 200,000 rows of 20 layers
//   npm run bench:history -- --rows 1000000
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fitReport } from '../src/agent/reportFit.js';
import { createLogger } from '../src/log/index.js';
import type { AgentReport, PullStatus } from '../src/model/index.js';
import { encodeLayers } from '../src/store/compactLayers.js';
import { HistoryStore, MAX_RESTORED_PULLS, PRUNE_BATCH_ROWS } from '../src/store/index.js';
import { percentile } from './lib/percentile.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, layers: { type: 'string', default: '20' } } });
const ROWS = Number(values.rows);
const LAYERS = Number(values.layers);
if (!Number.isSafeInteger(ROWS) || ROWS < 10_000) throw new Error('--rows must be an integer ≥ 10000');

const hex = (n: number) => n.toString(16).padStart(64, '0');

function finishedPull(i: number, completedAtMs: number): PullStatus {
  const id = hex(i).slice(-16);
  return {
    id,
    nodeName: `node-${i % 500}`,
    imageRef: `registry.example.com/team-${i % 40}/app-${i % 300}:1.${i % 17}`,
    status: i % 20 === 0 ? 'failed' : 'completed',
    totalBytes: LAYERS * 10_000_000,
    downloadedBytes: LAYERS * 10_000_000,
    cachedBytes: 0,
    bytesPerSec: 0,
    percent: 100,
    layerCount: LAYERS,
    layersDone: LAYERS,
    startedAt: new Date(completedAtMs - 60_000).toISOString(),
    completedAt: new Date(completedAtMs).toISOString(),
    pods: [{ namespace: `ns-${i % 50}`, podName: `app-${i}`, container: 'main', image: 'app:1' }],
    totalKnown: true,
    manifestDigest: `sha256:${hex(i + 1e9)}`,
    layers: Array.from({ length: LAYERS }, (_, l) => ({
      pullId: id,
      digest: `sha256:${hex(i * 100 + l)}`,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      totalBytes: 10_000_000,
      downloadedBytes: 10_000_000,
      bytesPerSec: 0,
      percent: 100,
      startedAt: new Date(completedAtMs - 50_000).toISOString(),
      completedAt: new Date(completedAtMs - 1_000).toISOString(),
      totalKnown: true,
      state: 'done' as const,
    })),
  };
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const fmt = (n: number) => n.toFixed(1);

const dir = mkdtempSync(join(tmpdir(), 'pulltrace-bench-history-'));
const path = join(dir, 'history.db');
const logger = createLogger('error');
try {
  const sample = finishedPull(1, Date.now());
  const fullBytes = JSON.stringify(sample.layers).length;
  const compactBytes = encodeLayers(sample.layers ?? []).length;
  console.log(
    `layers of one ${LAYERS}-layer pull: ${fullBytes} B as LayerStatus JSON, ${compactBytes} B compact (${fmt((100 * compactBytes) / fullBytes)}%)`,
  );

  let store = HistoryStore.open(path, logger);
  const t0 = Date.now() - ROWS * 1000;
  let start = process.hrtime.bigint();
  for (let i = 0; i < ROWS; i++) {
    store.enqueue(finishedPull(i, t0 + i * 1000));
    if (i % 2000 === 1999) store.flush();
  }
  store.flush();
  const writeMs = ms(start);
  store.close();
  const fileBytes = statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
  console.log(
    `wrote ${ROWS} rows in ${fmt(writeMs / 1000)} s (${Math.round(ROWS / (writeMs / 1000))} rows/s); file ${Math.round(fileBytes / ROWS)} B per row`,
  );

  start = process.hrtime.bigint();
  store = HistoryStore.open(path, logger);
  console.log(`open (migrate check + row count of ${store.size}): ${fmt(ms(start))} ms`);

  start = process.hrtime.bigint();
  const restored = store.finishedSince(0);
  console.log(`start-up restore: ${restored.length} most recent pulls (cap ${MAX_RESTORED_PULLS}) in ${fmt(ms(start))} ms`);

  const target = Math.floor(ROWS / 2);
  const batches: number[] = [];
  start = process.hrtime.bigint();
  for (;;) {
    const b = process.hrtime.bigint();
    const n = store.prune(0, target, 1);
    if (n === 0) break;
    batches.push(ms(b));
  }
  const total = ms(start);
  batches.sort((a, b) => a - b);
  console.log(
    `row-count pruning ${ROWS} → ${target} rows: ${batches.length} batches of ${PRUNE_BATCH_ROWS} in ${fmt(total)} ms; ` +
      `per batch p50 ${fmt(percentile(batches, 50))} ms, p99 ${fmt(percentile(batches, 99))} ms, max ${fmt(batches.at(-1) ?? 0)} ms`,
  );
  store.close();

  // The agent: the largest report it may be handed (8 pulls × 1,000 layers ≈ 1.4 MB) trimmed to 1 MiB.
  const report: AgentReport = {
    nodeName: 'node-1',
    pulls: Array.from({ length: 8 }, (_, p) => ({
      imageRef: `registry.example.com/big-${p}:1`,
      manifestDigest: `sha256:${hex(p)}`,
      startedAt: new Date().toISOString(),
      status: 'pulling' as const,
      totalKnown: true,
      layers: Array.from({ length: 1000 }, (_, l) => ({
        digest: `sha256:${hex(p * 10_000 + l)}`,
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        totalBytes: 1000,
        downloadedBytes: 0,
        totalKnown: true,
        state: 'waiting' as const,
      })),
    })),
  };
  const times: number[] = [];
  let bodyBytes = 0;
  for (let i = 0; i < 20; i++) {
    const b = process.hrtime.bigint();
    bodyBytes = Buffer.byteLength(fitReport(report).body);
    times.push(ms(b));
  }
  times.sort((a, b) => a - b);
  console.log(
    `agent fitReport, 8 pulls × 1,000 layers → ${bodyBytes} B body: p50 ${fmt(percentile(times, 50))} ms, max ${fmt(times.at(-1)!)} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
