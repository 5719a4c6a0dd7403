// A PullStatus for the unit tests of this folder.
import type { PullStatus } from '../../model/index.js';

export function testPull(over: Partial<PullStatus> = {}): PullStatus {
  return {
    id: 'node-a/sha256:abc',
    nodeName: 'node-a',
    imageRef: 'registry.example/shop/api:1.2',
    status: 'pulling',
    totalBytes: 1_200_000_000,
    downloadedBytes: 0,
    cachedBytes: 0,
    bytesPerSec: 30_000_000,
    etaSeconds: 40,
    percent: 0,
    layerCount: 7,
    layersDone: 0,
    startedAt: '2026-12-07T10:00:00.000Z',
    completedAt: null,
    pods: [{ namespace: 'shop', podName: 'api-1', container: 'app', image: 'registry.example/shop/api:1.2' }],
    totalKnown: true,
    ...over,
  };
}

export const T0 = Date.parse('2026-12-07T10:00:00.000Z');
