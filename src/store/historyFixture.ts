// Finished pulls, pods and a log-capturing logger shared by the history tests of both stores
// (src/store/sqlite/historyStore.test.ts on SQLite, test/store/historyBackends.test.ts on both).
import { createLogger, type Logger } from '../log/index.js';
import type { PodRef, PullStatus } from '../model/index.js';

export const T0 = Date.parse('2026-11-27T10:00:00.000Z');

export function finishedPull(id: string, completedAtMs: number, over: Partial<PullStatus> = {}): PullStatus {
  return {
    id,
    nodeName: 'node-a',
    imageRef: 'docker.io/library/nginx:1.27',
    status: 'completed',
    totalBytes: 2048,
    downloadedBytes: 2048,
    cachedBytes: 0,
    bytesPerSec: 0,
    percent: 100,
    layerCount: 2,
    layersDone: 2,
    startedAt: new Date(completedAtMs - 5000).toISOString(),
    completedAt: new Date(completedAtMs).toISOString(),
    pods: [],
    totalKnown: true,
    layers: ['sha256:l1', 'sha256:l2'].map((digest) => ({
      pullId: id,
      digest,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      totalBytes: 1024,
      downloadedBytes: 1024,
      bytesPerSec: 0,
      percent: 100,
      totalKnown: true,
      state: 'done' as const,
    })),
    ...over,
  };
}

export function pod(namespace: string, podName: string): PodRef {
  return { namespace, podName, container: 'main', image: 'nginx:1.27' };
}

/** A logger whose JSON lines are kept for assertions. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}
