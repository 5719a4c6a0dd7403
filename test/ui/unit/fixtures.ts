import type { LayerStatus, PullStatus } from '../../../src/model/index.js';

/** A pull with plausible defaults; tests override what they are about. */
export function pull(overrides: Partial<PullStatus> = {}): PullStatus {
  return {
    id: 'p1',
    nodeName: 'node-a',
    imageRef: 'docker.io/library/nginx:1.27',
    status: 'pulling',
    totalBytes: 1000,
    downloadedBytes: 100,
    cachedBytes: 0,
    bytesPerSec: 10,
    percent: 10,
    layerCount: 2,
    layersDone: 0,
    startedAt: '2026-01-01T00:00:00Z',
    pods: [],
    totalKnown: true,
    ...overrides,
  };
}

export function layer(overrides: Partial<LayerStatus> = {}): LayerStatus {
  return {
    pullId: 'p1',
    digest: 'sha256:aa',
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    totalBytes: 500,
    downloadedBytes: 50,
    bytesPerSec: 5,
    percent: 10,
    totalKnown: true,
    state: 'downloading',
    ...overrides,
  };
}
