import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerStatus } from '../model/index.js';
import { decodeLayers, encodeLayers, LAYERS_FORMAT_COMPACT, LAYERS_FORMAT_FULL } from './compactLayers.js';

const GZ = 'application/vnd.oci.image.layer.v1.tar+gzip';
const layer = (n: number, over: Partial<LayerStatus> = {}): LayerStatus => ({
  pullId: 'p1',
  digest: `sha256:${n.toString(16).padStart(64, '0')}`,
  mediaType: GZ,
  totalBytes: 1000 * n,
  downloadedBytes: 1000 * n,
  bytesPerSec: 0,
  percent: 100,
  startedAt: '2026-11-27T10:00:00.123Z',
  completedAt: '2026-11-27T10:00:05.000Z',
  totalKnown: true,
  state: 'done',
  ...over,
});
/** A layer without start and completion times (absent keys, not undefined values). */
const untimed = (l: LayerStatus): LayerStatus => {
  const { startedAt: _s, completedAt: _c, ...rest } = l;
  return rest;
};

const cases: Array<[string, LayerStatus[]]> = [
  ['no layers', []],
  ['done layers sharing a media type', [layer(1), layer(2), layer(3)]],
  [
    'config and a cached layer without times',
    [layer(0, { mediaType: 'application/vnd.oci.image.config.v1+json' }), untimed(layer(4, { state: 'cached', downloadedBytes: 0 }))],
  ],
  [
    'a failed pull: partial layer, completedAt null, unknown total',
    [layer(5, { state: 'downloading', downloadedBytes: 17, percent: 0.3, bytesPerSec: 12.5, completedAt: null, totalKnown: false })],
  ],
  [
    'times that milliseconds would not give back exactly',
    [layer(6, { startedAt: '2026-11-27T10:00:00Z', completedAt: 'not a time' as string })],
  ],
  ['fields a later release adds', [{ ...layer(7), sharedWith: 'other-pull', state: 'shared' } as unknown as LayerStatus]],
];

for (const [name, layers] of cases) {
  test(`compact layers round-trip: ${name}`, () => {
    const text = encodeLayers(layers);
    assert.deepEqual(decodeLayers(text, LAYERS_FORMAT_COMPACT, 'p1'), layers);
  });
}

test('the compact form is far smaller than LayerStatus JSON', () => {
  const layers = Array.from({ length: 20 }, (_, i) => layer(i + 1));
  const full = JSON.stringify(layers).length;
  const compact = encodeLayers(layers).length;
  assert.ok(compact < full * 0.6, `compact ${compact} bytes vs full ${full}`);
});

test('rows written before the compact format (format 1) still read', () => {
  const layers = [layer(1)];
  assert.deepEqual(decodeLayers(JSON.stringify(layers), LAYERS_FORMAT_FULL, 'p1'), layers);
});

test('an unknown layers format is an error naming the row', () => {
  assert.throws(() => decodeLayers('[]', 3, 'p9'), /history row p9: unknown layers format 3/);
});
