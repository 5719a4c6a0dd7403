// The server side of the whole truth of a pull: shared layers (counted in each pull's progress,
// owner named by id), unpacking (status, time, event), failure kinds, queue time and slow pulls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentReport, PullEvent, ReportLayer } from '../../model/index.js';
import { PullEventBus } from '../events/pullEventBus.js';
import { PullTracker } from './pullTracker.js';
import { SLOW_RATE_FOR_MS } from './slowPull.js';

const MiB = 1048576;
const GZ = 'application/vnd.oci.image.layer.v1.tar+gzip';

function setup(limits: Partial<ConstructorParameters<typeof PullTracker>[1]> = {}) {
  const bus = new PullEventBus();
  const events: PullEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const tracker = new PullTracker(bus, { stallTimeoutMs: 30_000, historyTtlMs: 60_000, maxNodes: 100, maxPulls: 100, ...limits });
  return { tracker, events };
}

const layer = (
  digest: string,
  totalBytes: number,
  downloadedBytes: number,
  state: ReportLayer['state'],
  extra: Partial<ReportLayer> = {},
) => ({
  digest,
  mediaType: GZ,
  totalBytes,
  downloadedBytes,
  totalKnown: true,
  state,
  ...extra,
});
type ReportPull = AgentReport['pulls'][number];
const pull = (name: string, layers: ReportLayer[], extra: Partial<ReportPull> = {}): ReportPull => ({
  imageRef: `127.0.0.1/${name}:1`,
  manifestDigest: `sha256:${name}`,
  startedAt: '2026-11-28T10:00:00.000Z',
  status: 'pulling',
  totalKnown: true,
  layers,
  ...extra,
});
const report = (pulls: ReportPull[]): AgentReport => ({ nodeName: 'w1', pulls });
const T = Date.parse('2026-11-28T10:00:01.000Z');

test('shared layer: counted in both pulls’ totals and progress, named by the owner’s id, never in cachedBytes', () => {
  const { tracker } = setup();
  const owner = pull('a', [layer('sha256:base', 4 * MiB, 2 * MiB, 'downloading'), layer('sha256:a1', MiB, MiB, 'done')]);
  const waiter = pull('b', [
    layer('sha256:base', 4 * MiB, 2 * MiB, 'shared', { sharedWith: 'sha256:a' }),
    layer('sha256:b1', 2 * MiB, 0, 'waiting'),
  ]);
  tracker.applyReport(report([owner, waiter]), T);
  const [b, a] = tracker
    .list({}, T, true)
    .sort((x, y) => x.imageRef.localeCompare(y.imageRef))
    .reverse();
  assert.ok(a && b);
  assert.equal(a.imageRef, '127.0.0.1/a:1');
  assert.equal(b.totalBytes, 6 * MiB, 'the shared layer is part of what b needs');
  assert.equal(b.downloadedBytes, 2 * MiB, 'its progress is b’s progress');
  assert.equal(b.cachedBytes, 0, 'it was not on the node before b started');
  assert.equal(b.percent, 33.3);
  const shared = b.layers?.find((l) => l.digest === 'sha256:base');
  assert.equal(shared?.state, 'shared');
  assert.equal(shared?.sharedWith, a.id, 'the owner is named by its pull id');

  // The owner commits it: b has it too (a layer done in b's count), then both complete.
  tracker.applyReport(
    report([
      pull('a', [layer('sha256:base', 4 * MiB, 4 * MiB, 'done'), layer('sha256:a1', MiB, MiB, 'done')]),
      pull('b', [
        layer('sha256:base', 4 * MiB, 4 * MiB, 'shared', { sharedWith: 'sha256:a' }),
        layer('sha256:b1', 2 * MiB, MiB, 'downloading'),
      ]),
    ]),
    T + 1000,
  );
  const b2 = tracker.status(b.id, T + 1000)!;
  assert.equal(b2.layersDone, 1);
  assert.equal(b2.downloadedBytes, 5 * MiB);
});

test('the same image pulled in two containerd namespaces at once: two pulls, each with its own bytes; shared layers named within the namespace', () => {
  const { tracker } = setup();
  const inDefault = pull('x', [layer('sha256:base', 4 * MiB, MiB, 'downloading'), layer('sha256:x1', MiB, 0, 'waiting')], {
    containerdNamespace: 'default',
  });
  const inK8s = pull('x', [layer('sha256:base', 4 * MiB, 3 * MiB, 'downloading'), layer('sha256:x1', MiB, 0, 'waiting')], {
    containerdNamespace: 'k8s.io',
    startedAt: '2026-11-28T10:00:00.500Z',
  });
  // In k8s.io, another image waits on the base layer that namespace's pull of x downloads.
  const waiter = pull(
    'y',
    [layer('sha256:base', 4 * MiB, 3 * MiB, 'shared', { sharedWith: 'sha256:x' }), layer('sha256:y1', MiB, 0, 'waiting')],
    {
      containerdNamespace: 'k8s.io',
    },
  );
  tracker.applyReport(report([inDefault, inK8s, waiter]), T);
  const pulls = tracker.list({}, T, true);
  const xs = pulls.filter((p) => p.manifestDigest === 'sha256:x');
  assert.equal(xs.length, 2, 'two pulls of x');
  assert.notEqual(xs[0]!.id, xs[1]!.id);
  assert.deepEqual(xs.map((p) => p.downloadedBytes).sort(), [MiB, 3 * MiB]);
  const k8sX = xs.find((p) => p.downloadedBytes === 3 * MiB)!;
  const y = pulls.find((p) => p.manifestDigest === 'sha256:y')!;
  assert.equal(y.layers?.find((l) => l.digest === 'sha256:base')?.sharedWith, k8sX.id, "the owner in y's namespace");

  // The next report updates each in place: still two pulls.
  tracker.applyReport(
    report([
      { ...inDefault, layers: [layer('sha256:base', 4 * MiB, 2 * MiB, 'downloading'), layer('sha256:x1', MiB, 0, 'waiting')] },
      { ...inK8s, layers: [layer('sha256:base', 4 * MiB, 4 * MiB, 'done'), layer('sha256:x1', MiB, MiB, 'done')], status: 'completed' },
      waiter,
    ]),
    T + 1000,
  );
  const after = tracker.list({}, T + 1000, true).filter((p) => p.manifestDigest === 'sha256:x');
  assert.deepEqual(after.map((p) => p.id).sort(), xs.map((p) => p.id).sort());
  assert.deepEqual(after.map((p) => p.status).sort(), ['completed', 'pulling']);
});

test('unpacking: status, unpackStartedAt and one pull.unpacking event; not stalled while unpacking; completed after', () => {
  const { tracker, events } = setup({ stallTimeoutMs: 2000 });
  tracker.applyReport(report([pull('u', [layer('sha256:u1', MiB, MiB / 2, 'downloading')])]), T);
  const done = [layer('sha256:u1', MiB, MiB, 'done')];
  tracker.applyReport(report([pull('u', done, { status: 'unpacking', unpackStartedAt: '2026-11-28T10:00:01.500Z' })]), T + 1000);
  tracker.applyReport(report([pull('u', done, { status: 'unpacking', unpackStartedAt: '2026-11-28T10:00:01.500Z' })]), T + 2000);
  tracker.tick(T + 10_000);
  const [p] = tracker.list({}, T + 10_000, false);
  assert.equal(p?.status, 'unpacking');
  assert.equal(p?.unpackStartedAt, '2026-11-28T10:00:01.500Z');
  assert.equal(p?.percent, 100);
  tracker.applyReport(report([pull('u', done, { status: 'completed' })]), T + 11_000);
  const types = events.filter((e) => e.type.startsWith('pull.') && e.type !== 'pull.progress').map((e) => e.type);
  assert.deepEqual(types, ['pull.started', 'pull.unpacking', 'pull.completed']);
  const completed = events.at(-1)?.pull;
  assert.equal(completed?.unpackStartedAt, '2026-11-28T10:00:01.500Z', 'the completed pull keeps when unpacking began');
});

test('failureReason: from the agent when it says, else classified from the text; refined by a better text', () => {
  const { tracker } = setup();
  tracker.applyReport(report([pull('f', [layer('sha256:f1', MiB, 0, 'waiting')])]), T);
  tracker.applyReport(
    report([pull('f', [layer('sha256:f1', MiB, 0, 'waiting')], { status: 'failed', error: 'pull aborted: something' })]),
    T + 1000,
  );
  const [p] = tracker.list({}, T + 1000, false);
  assert.equal(p?.failureReason, 'unknown');
  const refined = tracker.refineError(
    p!.id,
    'Failed to pull image "f": failed to copy: unexpected status: 429 Too Many Requests',
    T + 2000,
  );
  assert.equal(refined?.failureReason, 'rate_limited');
  const again = tracker.refineError(p!.id, 'Back-off pulling image "f"', T + 3000);
  assert.equal(again?.failureReason, 'rate_limited', 'a text that says nothing keeps the reason');

  const r = tracker.ensurePull('w1', 'docker.io/library/nope:1', T);
  tracker.failPull(r.id, 'Failed to pull image "nope:1": rpc error: code = NotFound desc = not found', T);
  assert.equal(tracker.status(r.id, T)?.failureReason, 'not_found');

  tracker.applyReport(
    report([pull('g', [layer('sha256:g1', MiB, 0, 'waiting')], { status: 'failed', error: 'x', failureReason: 'no_space' })]),
    T,
  );
  assert.equal(tracker.list({ image: 'g:1' }, T, false)[0]?.failureReason, 'no_space');
  // agent lost: a new-shape pull vanishing from the report unfinished
  tracker.applyReport(report([pull('h', [layer('sha256:h1', MiB, 0, 'waiting')])]), T);
  tracker.applyReport(report([]), T + 1000);
  assert.equal(tracker.list({ image: 'h:1' }, T + 1000, false)[0]?.failureReason, 'agent_lost');
});

test('waitSeconds: kubelet "in 3.2s (5.1s including waiting)" → 1.9 s queued', () => {
  const { tracker } = setup();
  tracker.applyReport(report([pull('w', [layer('sha256:w1', MiB, MiB, 'done')])]), T);
  const [p] = tracker.list({}, T, false);
  const s = tracker.annotateKubelet(p!.id, { pullSeconds: 3.2, withWaitingSeconds: 5.1 }, T);
  assert.equal(s?.waitSeconds, 1.9);
  assert.equal(tracker.annotateKubelet(p!.id, { pullSeconds: 3.2 }, T)?.waitSeconds, 1.9, 'an older kubelet’s message keeps it');
});

test('slow: a trickle below SLOW_RATE for a minute, or an ETA beyond SLOW_ETA; one event each way; counted', () => {
  const { tracker, events } = setup({ slowEtaMs: 15 * 60_000, slowRateBytesPerSec: 100 * 1024, stallTimeoutMs: 30_000 });
  // 10 KiB/s on a 1 GiB layer: ETA of a day and a rate far below the threshold
  let bytes = 0;
  for (let s = 0; s <= 20; s++) {
    bytes = s * 10 * 1024;
    tracker.applyReport(report([pull('slow', [layer('sha256:s1', 1024 * MiB, bytes, 'downloading')])]), T + s * 1000);
    tracker.tick(T + s * 1000);
  }
  const [p] = tracker.list({}, T + 20_000, false);
  assert.equal(p?.slow, true, 'ETA over 15 minutes');
  assert.equal(tracker.counts().slow, 1);
  const flips = () => events.filter((e) => e.type === 'pull.progress' && e.pull?.slow !== undefined).map((e) => e.pull?.slow);
  assert.ok(flips().includes(true));

  // A fast pull of a small image is not slow, also after a minute.
  const { tracker: t2 } = setup({ slowEtaMs: 15 * 60_000, slowRateBytesPerSec: 100 * 1024 });
  for (let s = 0; s <= 70; s++) {
    t2.applyReport(
      report([pull('fast', [layer('sha256:f', 1024 * MiB, Math.min(1024 * MiB, s * 10 * MiB), 'downloading')])]),
      T + s * 1000,
    );
    t2.tick(T + s * 1000);
  }
  assert.equal(t2.list({}, T + 70_000, false)[0]?.slow, false);

  // Rate rule alone: a small image (short ETA) trickling at 50 KiB/s is slow after a minute, not before.
  const { tracker: t3 } = setup({ slowEtaMs: 24 * 3600_000, slowRateBytesPerSec: 100 * 1024 });
  let slowAt: number | undefined;
  for (let s = 0; s <= SLOW_RATE_FOR_MS / 1000 + 5; s++) {
    t3.applyReport(report([pull('trickle', [layer('sha256:t', 64 * MiB, s * 50 * 1024, 'downloading')])]), T + s * 1000);
    t3.tick(T + s * 1000);
    if (slowAt === undefined && t3.list({}, T + s * 1000, false)[0]?.slow) slowAt = s;
  }
  assert.ok(slowAt !== undefined && slowAt >= 60 && slowAt <= 62, `slow after about a minute of low rate (at ${slowAt} s)`);
});
