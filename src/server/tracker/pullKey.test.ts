// Reports from a CRI-O agent name a pull by `pullKey` (its temporary folder): the reference and the
// manifest digest arrive only when the image lands, and must not make it a second pull.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullEvent, ReportLayer, ReportPull } from '../../model/index.js';
import { PullEventBus } from '../events/pullEventBus.js';
import { PullTracker } from './pullTracker.js';

const MiB = 1048576;

function setup() {
  const bus = new PullEventBus();
  const events: PullEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const tracker = new PullTracker(bus, { stallTimeoutMs: 5000, historyTtlMs: 60_000, maxNodes: 100, maxPulls: 100 });
  return { tracker, events };
}

const layer = (digest: string, down: number, extra: Partial<ReportLayer> = {}): ReportLayer => ({
  digest,
  totalBytes: down,
  downloadedBytes: down,
  totalKnown: false,
  state: 'downloading',
  ...extra,
});

const crioPull = (extra: Partial<ReportPull>): ReportPull => ({
  pullKey: 'crio:container_images_storage123',
  imageRef: '127.0.0.1:5000/app',
  startedAt: '2026-01-01T00:00:00.000Z',
  status: 'pulling',
  totalKnown: false,
  layers: [],
  ...extra,
});

test('one pull from folder to image: the name and the manifest digest arriving at the end keep its id', () => {
  const { tracker, events } = setup();
  tracker.applyReport({ nodeName: 'w1', pulls: [crioPull({ layers: [layer('sha256:a', MiB, { digestProvisional: true })] })] }, 0);
  const [first] = tracker.list({}, 0, true);
  assert.equal(first?.layers?.[0]?.digestProvisional, true, 'a provisional digest is said to be provisional');
  tracker.applyReport(
    {
      nodeName: 'w1',
      pulls: [
        crioPull({
          imageRef: '127.0.0.1:5000/app:v1',
          manifestDigest: 'sha256:m',
          status: 'completed',
          totalKnown: true,
          layers: [layer('sha256:a', 2 * MiB, { totalKnown: true, state: 'done' })],
        }),
      ],
    },
    1000,
  );
  const pulls = tracker.list({}, 1000, true);
  assert.equal(pulls.length, 1);
  assert.equal(pulls[0]?.id, first?.id);
  assert.equal(pulls[0]?.status, 'completed');
  assert.equal(pulls[0]?.imageRef, '127.0.0.1:5000/app:v1');
  assert.equal(pulls[0]?.manifestDigest, 'sha256:m');
  assert.equal(pulls[0]?.layers?.[0]?.digestProvisional, undefined, 'exact once proven');
  assert.deepEqual(
    events.filter((e) => e.type.startsWith('pull.') && e.type !== 'pull.progress').map((e) => e.type),
    ['pull.started', 'pull.completed'],
  );
});

test('two concurrent pulls of one repository (two folders) are two pulls', () => {
  const { tracker } = setup();
  tracker.applyReport(
    {
      nodeName: 'w1',
      pulls: [
        crioPull({ layers: [layer('sha256:a', MiB)] }),
        crioPull({ pullKey: 'crio:container_images_storage456', layers: [layer('sha256:a', MiB)] }),
      ],
    },
    0,
  );
  assert.equal(tracker.list({}, 0, false).length, 2);
});

test('a layer whose provisional digest moved to another blob gives its bytes back; an exact one never does', () => {
  const { tracker } = setup();
  const A = 'sha256:a';
  const B = 'sha256:b';
  tracker.applyReport({ nodeName: 'w1', pulls: [crioPull({ layers: [layer(A, 2 * MiB, { digestProvisional: true })] })] }, 0);
  // File 1 proved to be B: A has no file yet.
  tracker.applyReport(
    {
      nodeName: 'w1',
      pulls: [
        crioPull({
          layers: [
            layer(B, 2 * MiB, { totalKnown: true, state: 'done' }),
            { digest: A, totalBytes: 0, downloadedBytes: 0, totalKnown: false, state: 'waiting' },
          ],
        }),
      ],
    },
    1000,
  );
  const [p] = tracker.list({}, 1000, true);
  assert.deepEqual(
    p?.layers?.map((l) => [l.digest, l.downloadedBytes, l.state]),
    [
      [B, 2 * MiB, 'done'],
      [A, 0, 'waiting'],
    ],
  );
  assert.equal(p?.downloadedBytes, 2 * MiB);
});
