import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentReport, PullEvent, ReportLayer } from '../../model/index.js';
import { PullEventBus } from '../events/pullEventBus.js';
import { CapacityError, PullTracker } from './pullTracker.js';

const MiB = 1048576;
const GZ = 'application/vnd.oci.image.layer.v1.tar+gzip';

function setup(limits: Partial<ConstructorParameters<typeof PullTracker>[1]> = {}) {
  const bus = new PullEventBus();
  const events: PullEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const tracker = new PullTracker(bus, { stallTimeoutMs: 5000, historyTtlMs: 60_000, maxNodes: 100, maxPulls: 100, ...limits });
  return { tracker, events };
}

function report(nodeName: string, pulls: AgentReport['pulls']): AgentReport {
  return { nodeName, pulls };
}

function layer(digest: string, totalBytes: number, downloadedBytes: number, state?: ReportLayer['state']): ReportLayer {
  return { digest, mediaType: GZ, totalBytes, downloadedBytes, totalKnown: true, ...(state ? { state } : {}) };
}

const pull = (layers: ReportLayer[], extra: Partial<AgentReport['pulls'][number]> = {}) => ({
  imageRef: '127.0.0.1/app:1',
  manifestDigest: 'sha256:m1',
  status: 'pulling' as const,
  totalKnown: true,
  layers,
  ...extra,
});

test('pulling → stalled → pulling → completed emits exactly one event per transition', () => {
  const { tracker, events } = setup();
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 3 * MiB, MiB, 'downloading'), layer('sha256:b', 2 * MiB, 0, 'waiting')])]), 0);
  tracker.applyReport(
    report('w1', [pull([layer('sha256:a', 3 * MiB, 2 * MiB, 'downloading'), layer('sha256:b', 2 * MiB, 0, 'waiting')])]),
    1000,
  );
  tracker.tick(3000);
  tracker.tick(6000);
  tracker.tick(7000);
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 3 * MiB, 3 * MiB, 'done'), layer('sha256:b', 2 * MiB, 0, 'waiting')])]), 8000);
  tracker.applyReport(
    report('w1', [pull([layer('sha256:a', 3 * MiB, 3 * MiB, 'done'), layer('sha256:b', 2 * MiB, MiB, 'downloading')])]),
    9000,
  );
  tracker.applyReport(
    report('w1', [
      pull([layer('sha256:a', 3 * MiB, 3 * MiB, 'done'), layer('sha256:b', 2 * MiB, 2 * MiB, 'done')], { status: 'completed' }),
    ]),
    10_000,
  );
  tracker.applyReport(
    report('w1', [
      pull([layer('sha256:a', 3 * MiB, 3 * MiB, 'done'), layer('sha256:b', 2 * MiB, 2 * MiB, 'done')], { status: 'completed' }),
    ]),
    11_000,
  );
  assert.deepEqual(
    events.map((e) => `${e.type}${e.layer ? `:${e.layer.digest}` : ''}`),
    [
      'pull.started',
      'layer.started:sha256:a',
      'layer.progress:sha256:a',
      'pull.progress',
      'pull.stalled',
      'layer.completed:sha256:a',
      'pull.progress',
      'layer.started:sha256:b',
      'pull.progress',
      'layer.completed:sha256:b',
      'pull.completed',
    ],
  );
  const ids = new Set(events.map((e) => e.pull?.id));
  assert.equal(ids.size, 1, 'one pull throughout');
  const last = events.at(-1)!.pull!;
  assert.equal(last.status, 'completed');
  assert.equal(last.downloadedBytes, 5 * MiB);
  assert.equal(last.totalBytes, 5 * MiB);
  assert.equal(last.percent, 100);
  assert.equal(events.find((e) => e.type === 'pull.stalled')!.pull!.status, 'stalled');
});

test('per-layer speed and media type reach LayerStatus (FIX-02)', () => {
  const { tracker, events } = setup();
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 10 * MiB, 0, 'downloading')])]), 0);
  for (let s = 1; s <= 4; s++) tracker.applyReport(report('w1', [pull([layer('sha256:a', 10 * MiB, s * MiB, 'downloading')])]), s * 1000);
  const progress = events.filter((e) => e.type === 'layer.progress').at(-1)!;
  assert.equal(progress.layer!.mediaType, GZ);
  assert.ok(Math.abs(progress.layer!.bytesPerSec - MiB) < 1, `layer speed ${progress.layer!.bytesPerSec}`);
  const status = tracker.list({}, 4000, true)[0]!;
  assert.equal(status.layers![0]!.mediaType, GZ);
  assert.ok(status.layers![0]!.bytesPerSec > 0);
  assert.ok(Math.abs(status.bytesPerSec - MiB) < 1);
  assert.ok(status.etaSeconds !== undefined && Math.abs(status.etaSeconds - 6) < 0.2);
});

test('a pull that fails keeps its bytes and error; one pull.failed', () => {
  const { tracker, events } = setup();
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 4 * MiB, MiB)])]), 0);
  tracker.applyReport(
    report('w1', [pull([layer('sha256:a', 4 * MiB, MiB)], { status: 'failed', error: 'connection reset by peer' })]),
    1000,
  );
  tracker.applyReport(
    report('w1', [pull([layer('sha256:a', 4 * MiB, MiB)], { status: 'failed', error: 'connection reset by peer' })]),
    2000,
  );
  const failed = events.filter((e) => e.type === 'pull.failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.pull!.error, 'connection reset by peer');
  assert.equal(failed[0]!.pull!.downloadedBytes, MiB);
  assert.ok(!events.some((e) => e.type === 'pull.completed'));
});

test('a new-shape pull vanishing mid-download is failed, not completed', () => {
  const { tracker, events } = setup();
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 4 * MiB, MiB)])]), 0);
  tracker.applyReport(report('w1', []), 1000);
  assert.equal(events.at(-1)!.type, 'pull.failed');
  assert.match(events.at(-1)!.pull!.error!, /stopped reporting/);
});

test('the original agent shape: ingests grouped per node, done when they vanish, completed when all vanish', () => {
  const { tracker, events } = setup();
  const ingest = (hex: string, total: number, down: number) => ({
    imageRef: `layer-sha256:${hex}`,
    startedAt: '0001-01-01T00:00:00Z',
    totalKnown: true,
    layers: [{ digest: `sha256:${hex}`, totalBytes: total, downloadedBytes: down, totalKnown: true }],
  });
  tracker.applyReport(report('w1', [ingest('aaaaaa', 100, 10), ingest('bbbbbb', 200, 20)]), 0);
  tracker.applyReport(report('w1', [ingest('bbbbbb', 200, 150)]), 1000);
  const mid = tracker.list({}, 1000, true);
  assert.equal(mid.length, 1, 'one row per node');
  assert.equal(mid[0]!.layers!.find((l) => l.digest === 'sha256:aaaaaa')!.state, 'done');
  assert.equal(mid[0]!.downloadedBytes, 250);
  tracker.applyReport(report('w1', []), 2000);
  assert.equal(events.at(-1)!.type, 'pull.completed');
  assert.equal(events.at(-1)!.pull!.downloadedBytes, 300);
});

test('cached layers are shown apart and excluded from the total', () => {
  const { tracker } = setup();
  tracker.applyReport(
    report('w1', [pull([layer('sha256:base', 5 * MiB, 5 * MiB, 'cached'), layer('sha256:top', 2 * MiB, 0, 'waiting')])]),
    0,
  );
  const s = tracker.list({}, 0, true)[0]!;
  assert.equal(s.cachedBytes, 5 * MiB);
  assert.equal(s.totalBytes, 2 * MiB);
  assert.equal(s.downloadedBytes, 0);
  assert.equal(s.layersDone, 1);
  assert.equal(s.layerCount, 2);
});

test('percent and downloaded bytes never decrease, even if a report goes backwards', () => {
  const { tracker } = setup();
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 10, 6)])]), 0);
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 10, 3)])]), 1000);
  const s = tracker.list({}, 1000, true)[0]!;
  assert.equal(s.downloadedBytes, 6);
  assert.equal(s.percent, 60);
});

test('a re-pull after completion is a new pull; repeated final reports are not', () => {
  const { tracker, events } = setup();
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 10, 10, 'done')], { status: 'completed' })]), 0);
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 10, 10, 'done')], { status: 'completed' })]), 1000);
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 10, 0, 'waiting')])]), 2000);
  const started = events.filter((e) => e.type === 'pull.started');
  assert.equal(started.length, 2);
  assert.notEqual(started[0]!.pull!.id, started[1]!.pull!.id);
  assert.equal(events.filter((e) => e.type === 'pull.completed').length, 1);
});

test("reports from one node never touch another node's pulls", () => {
  const { tracker } = setup();
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 10, 5)])]), 0);
  tracker.applyReport(report('w2', []), 1000);
  tracker.applyReport(report('w2', [pull([layer('sha256:a', 10, 10, 'done')], { status: 'completed' })]), 2000);
  const w1 = tracker.list({ node: 'w1' }, 2000, true);
  assert.equal(w1.length, 1);
  assert.equal(w1[0]!.status, 'pulling');
  assert.equal(w1[0]!.downloadedBytes, 5);
});

test('capacity limits refuse new nodes and pulls without changing anything', () => {
  const { tracker, events } = setup({ maxNodes: 1, maxPulls: 1 });
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 10, 5)])]), 0);
  assert.throws(() => tracker.applyReport(report('w2', []), 0), CapacityError);
  const before = events.length;
  assert.throws(
    () =>
      tracker.applyReport(
        report('w1', [pull([layer('sha256:a', 10, 7)]), pull([], { manifestDigest: 'sha256:m2', imageRef: 'other' })]),
        1000,
      ),
    CapacityError,
  );
  assert.equal(events.length, before);
  assert.equal(tracker.list({}, 1000, true)[0]!.downloadedBytes, 5);
});

test('finished pulls leave the live view after the TTL', () => {
  const { tracker } = setup({ historyTtlMs: 10_000 });
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 10, 10, 'done')], { status: 'completed' })]), 0);
  tracker.tick(5000);
  assert.equal(tracker.list({}, 5000, false).length, 1);
  tracker.tick(10_000);
  assert.equal(tracker.list({}, 10_000, false).length, 0);
});

test('a "pulling" report for an attempt kubelet already failed is not a new pull; a new start is', () => {
  const { tracker, events } = setup();
  const startedAt = '2026-11-27T10:00:00.000Z';
  const attempt = (extra = {}) => pull([layer('sha256:a', 4 * MiB, MiB)], { startedAt, ...extra });
  tracker.applyReport(report('w1', [attempt()]), 1000);
  const id = events[0]!.pull!.id;
  assert.ok(tracker.failPull(id, 'Failed to pull image "app:1": connection reset by peer', 2000));
  tracker.applyReport(report('w1', [attempt()]), 3000);
  tracker.applyReport(report('w1', [attempt({ status: 'failed', error: 'aborted' })]), 4000);
  assert.equal(events.filter((e) => e.type === 'pull.started').length, 1);
  assert.equal(events.filter((e) => e.type === 'pull.failed').length, 1);
  assert.equal(tracker.status(id, 4000)!.error, 'Failed to pull image "app:1": connection reset by peer');
  tracker.applyReport(report('w1', [pull([layer('sha256:a', 4 * MiB, 0)], { startedAt: '2026-11-27T10:01:00.000Z' })]), 5000);
  assert.equal(events.filter((e) => e.type === 'pull.started').length, 2, 'a retry with a new start is a new pull');
});

test('the config blob counts in bytes but not as a layer', () => {
  const { tracker } = setup();
  const config = {
    digest: 'sha256:cfg',
    mediaType: 'application/vnd.oci.image.config.v1+json',
    totalBytes: 500,
    downloadedBytes: 500,
    totalKnown: true,
    state: 'done' as const,
  };
  tracker.applyReport(report('w1', [pull([config, layer('sha256:a', 1000, 0, 'waiting'), layer('sha256:b', 2000, 2000, 'done')])]), 0);
  const s = tracker.list({}, 0, true)[0]!;
  assert.equal(s.layerCount, 2);
  assert.equal(s.layersDone, 1);
  assert.equal(s.totalBytes, 3500);
  assert.equal(s.layers!.length, 3, 'the config is still listed with the layers');
});
