import type { Logger } from '../log/index.js';
import type { PullStatus } from '../model/index.js';
import { decodeLayers, encodeLayers, LAYERS_FORMAT_COMPACT, LAYERS_FORMAT_FULL } from './compactLayers.js';

/** What one finished pull becomes in the database: filter columns plus the pull as JSON. */
export interface PullRow {
  id: string;
  nodeName: string;
  imageRef: string;
  status: string;
  startedAt: number;
  completedAt: number;
  error: string | null;
  manifestDigest: string | null;
  totalBytes: number;
  pods: Array<{ namespace: string; podName: string }>;
  /** the PullStatus without `layers`, as JSON */
  doc: string;
  /** `layers`, compact (compactLayers.ts) */
  layers: string;
  layersFormat: number;
  /** the pull's cluster (PULLTRACE_CLUSTER); null for pulls that carry none */
  cluster: string | null;
  /** the failure kind of a failed pull, as in `doc` (the `reason` filter); null otherwise */
  failureReason: string | null;
}

/**
 * Snapshot a pull into a row. Serializing here (not at flush time) means the tracker may keep
 * mutating its live object after handing it over. A pull without a usable completedAt gets
 * `nowMs`, so it still sorts and prunes like every other row.
 */
export function toPullRow(pull: PullStatus, nowMs: number): PullRow {
  const parsedCompleted = pull.completedAt ? Date.parse(pull.completedAt) : Number.NaN;
  const completedAt = Number.isFinite(parsedCompleted) ? parsedCompleted : nowMs;
  const parsedStarted = Date.parse(pull.startedAt);
  const startedAt = Number.isFinite(parsedStarted) ? parsedStarted : completedAt;
  const { layers, ...summary } = pull;
  if (!Number.isFinite(parsedCompleted)) summary.completedAt = new Date(completedAt).toISOString();
  return {
    id: pull.id,
    nodeName: pull.nodeName,
    imageRef: pull.imageRef,
    status: pull.status,
    startedAt,
    completedAt,
    error: pull.error ?? null,
    manifestDigest: pull.manifestDigest ?? null,
    totalBytes: pull.totalBytes,
    pods: pull.pods.map((p) => ({ namespace: p.namespace, podName: p.podName })),
    doc: JSON.stringify(summary),
    layers: encodeLayers(layers ?? []),
    layersFormat: LAYERS_FORMAT_COMPACT,
    cluster: pull.cluster ?? null,
    failureReason: pull.status === 'failed' && typeof pull.failureReason === 'string' ? pull.failureReason : null,
  };
}

/** The stored pull, with its layers (rows from before the compact format have format 1). */
export function fromPullRow(doc: string, layers: string, layersFormat: number = LAYERS_FORMAT_FULL): PullStatus {
  const pull = JSON.parse(doc) as PullStatus;
  pull.layers = decodeLayers(layers, layersFormat, pull.id);
  return pull;
}

/** The stored pull without its layers (`layers=0`): the layers column is not even decoded. */
export function fromPullRowWithoutLayers(doc: string): PullStatus {
  return JSON.parse(doc) as PullStatus;
}

/**
 * What both history stores do with a finished pull handed to `enqueue`: its row, or undefined
 * (said once in the log) when the store is closed, the pull is not finished, or it cannot be serialized.
 */
export function historyRowOf(pull: PullStatus, storeClosed: boolean, logger: Logger): PullRow | undefined {
  if (storeClosed) {
    logger.warn({ pullId: pull.id }, 'history store is closed; finished pull not recorded');
    return undefined;
  }
  if (pull.status !== 'completed' && pull.status !== 'failed') {
    logger.warn({ pullId: pull.id, status: pull.status }, 'only completed or failed pulls go to history; ignored');
    return undefined;
  }
  try {
    return toPullRow(pull, Date.now());
  } catch (err) {
    logger.error({ err, pullId: pull.id }, 'finished pull could not be serialized for history; not recorded');
    return undefined;
  }
}
