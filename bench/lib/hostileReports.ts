// The most expensive reports a client can send within the server's limits (1 MiB body, 1,024
// layers per pull after merging, 2,048 layers per report, 1,000 entries), for bench:hostile. Pure: each builder returns
// the JSON text of report number `round` (bytes grow each round, so every layer emits an event).
import { type AgentReport, MAX_LAYERS_PER_REPORT, type ReportLayer } from '../../src/model/index.js';

export const BODY_LIMIT = 1024 * 1024;

export type HostileShape = 'max-layers' | 'merged-entries' | 'raw-ingests' | 'many-pulls';
export const HOSTILE_SHAPES: HostileShape[] = ['max-layers', 'merged-entries', 'raw-ingests', 'many-pulls'];

const STARTED = '2026-01-01T00:00:00Z';
const hex = (n: number) => n.toString(16).padStart(6, '0');

function layers(prefix: string, count: number, round: number): ReportLayer[] {
  return Array.from({ length: count }, (_, i) => ({
    digest: `${prefix}${hex(i)}`,
    totalBytes: 1_000_000,
    downloadedBytes: 1000 * (round + 1),
    state: 'downloading' as const,
  }));
}

/** Adds pulls from `make(i)` while the JSON stays within the body limit (sizes summed, not re-serialized). */
function fill(nodeName: string, make: (i: number) => AgentReport['pulls'][number], maxPulls: number): string {
  const pulls: AgentReport['pulls'] = [];
  let size = Buffer.byteLength(JSON.stringify({ nodeName, pulls }));
  for (let i = 0; i < maxPulls; i++) {
    const entry = make(i);
    const entrySize = Buffer.byteLength(JSON.stringify(entry)) + (pulls.length > 0 ? 1 : 0);
    if (size + entrySize > BODY_LIMIT) break;
    pulls.push(entry);
    size += entrySize;
  }
  return JSON.stringify({ nodeName, pulls });
}

export function hostileReport(shape: HostileShape, nodeName: string, round: number): string {
  switch (shape) {
    // The most layers a report may carry (2,048: two entries of 1,000 and one of 48), each with the
    // longest digest and media type that keep the body within 1 MiB: the most layer events and bytes.
    case 'max-layers':
      return padToLimit((pad) =>
        JSON.stringify({
          nodeName,
          pulls: [1000, 1000, MAX_LAYERS_PER_REPORT - 2000].map((count, i) => ({
            imageRef: `r/i${i}`,
            manifestDigest: `m${i}`,
            startedAt: STARTED,
            layers: layers(`${i}.${'d'.repeat(pad)}.`, count, round).map((l) => ({ ...l, mediaType: 'm'.repeat(pad) })),
          })),
        }),
      );
    // 1,000 entries naming one image, each repeating the same 1,024 digests in slices: merging work.
    case 'merged-entries':
      return fill(
        nodeName,
        (i) => ({
          imageRef: 'r/same',
          manifestDigest: 'same',
          startedAt: STARTED,
          layers: layers('', 1024, round).slice((i * 37) % 1000, ((i * 37) % 1000) + 24),
        }),
        1000,
      );
    // The original agent's shape: one entry per raw ingest (at most 1,000 entries, so well under
    // 1 MiB), grouped into one pull per node.
    case 'raw-ingests':
      return fill(
        nodeName,
        (i) => ({
          imageRef: `layer-sha256:${hex(i)}`,
          startedAt: '0001-01-01T00:00:00Z',
          layers: layers('sha256:', 1, round).map((l) => ({ ...l, digest: `sha256:${hex(i)}` })),
        }),
        1000,
      );
    // Up to the per-node cap of pulls (256), sharing the report's 2,048 layers (8 each), with names
    // and digests as long as the body allows.
    case 'many-pulls':
      return padToLimit((pad) =>
        JSON.stringify({
          nodeName,
          pulls: Array.from({ length: 256 }, (_, i) => ({
            imageRef: `r/p${i}/${'n'.repeat(pad * 4)}`,
            manifestDigest: `p${i}`,
            startedAt: STARTED,
            layers: layers(`${i}.${'d'.repeat(pad)}.`, MAX_LAYERS_PER_REPORT / 256, round).map((l) => ({
              ...l,
              mediaType: 'm'.repeat(pad),
            })),
          })),
        }),
      );
  }
}

/** The report built with the longest padding (≤ 240 characters, so digests stay within their 256) that fits the body limit. */
function padToLimit(build: (pad: number) => string): string {
  for (let pad = 240; pad > 0; pad -= 8) {
    const text = build(pad);
    if (Buffer.byteLength(text) <= BODY_LIMIT) return text;
  }
  return build(0);
}
