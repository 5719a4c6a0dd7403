// The tracker under hostile or broken reports: linear, bounded ingest, current figures in layer
// events, per-node caps, silent nodes. Each test fails on the tracker before these limits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AgentReport, MAX_LAYERS_PER_PULL, MAX_LAYERS_PER_REPORT, type PullEvent, type ReportLayer } from '../../model/index.js';
import { PullEventBus } from '../events/pullEventBus.js';
import { agentLostError, CapacityError, PullTracker, ReportLimitError } from './pullTracker.js';

const MiB = 1048576;
const GZ = 'application/vnd.oci.image.layer.v1.tar+gzip';

function setup(limits: Partial<ConstructorParameters<typeof PullTracker>[1]> = {}) {
  const bus = new PullEventBus();
  const events: PullEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const tracker = new PullTracker(bus, { stallTimeoutMs: 60_000, historyTtlMs: 600_000, maxNodes: 100, maxPulls: 1000, ...limits });
  return { tracker, events };
}

const layer = (digest: string, totalBytes: number, downloadedBytes: number, state?: ReportLayer['state']): ReportLayer => ({
  digest,
  mediaType: GZ,
  totalBytes,
  downloadedBytes,
  totalKnown: true,
  ...(state ? { state } : {}),
});

const pull = (image: string, layers: ReportLayer[], extra: Partial<AgentReport['pulls'][number]> = {}) => ({
  imageRef: `127.0.0.1/${image}:1`,
  manifestDigest: `sha256:${image}`,
  status: 'pulling' as const,
  totalKnown: true,
  startedAt: '2026-11-27T10:00:00.000Z',
  layers,
  ...extra,
});

const report = (nodeName: string, pulls: AgentReport['pulls']): AgentReport => ({ nodeName, pulls });

test('layer events carry the pull as it is after the report, not the previous one', () => {
  const { tracker, events } = setup();
  tracker.applyReport(report('w1', [pull('app', [layer('sha256:a', 10 * MiB, 2 * MiB, 'downloading')])]), 0);
  tracker.applyReport(report('w1', [pull('app', [layer('sha256:a', 10 * MiB, 4 * MiB, 'downloading')])]), 1000);
  tracker.applyReport(report('w1', [pull('app', [layer('sha256:a', 10 * MiB, 10 * MiB, 'done')])]), 2000);
  const progress = events.find((e) => e.type === 'layer.progress');
  assert.equal(progress?.pull?.downloadedBytes, 4 * MiB);
  assert.equal(progress?.pull?.percent, 40, 'percent of this report (was 20, the previous one)');
  assert.equal(progress?.pull?.bytesPerSec, 2 * MiB, 'speed including this report (was 0)');
  const completed = events.find((e) => e.type === 'layer.completed');
  assert.equal(completed?.pull?.percent, 100, 'a layer.completed holding every byte says 100 (was 40)');
  const after = events.filter((e) => e.type === 'pull.progress' && e.pull?.downloadedBytes === 4 * MiB).at(-1);
  assert.equal(after?.pull?.percent, progress?.pull?.percent, 'layer event and pull event of one report agree');
});

test("a pull's layers are those of the latest report, not every layer ever reported", () => {
  const { tracker } = setup();
  const many = (prefix: string) => Array.from({ length: 600 }, (_, i) => layer(`sha256:${prefix}${i}`, 100, 0));
  tracker.applyReport(report('w1', [pull('app', many('a'))]), 0);
  tracker.applyReport(report('w1', [pull('app', many('b'))]), 1000);
  const [s] = tracker.list({}, 1000, true);
  assert.equal(s?.layers?.length, 600, 'the second report replaced the first (was 1,200 and growing)');
  assert.equal(s?.layerCount, 600);
  assert.ok(s?.layers?.every((l) => l.digest.startsWith('sha256:b')));
});

test('more than 1,024 layers in one pull after merging entries of the same image: refused, naming the pull, nothing changed', () => {
  const { tracker, events } = setup();
  const half = (prefix: string) => Array.from({ length: 600 }, (_, i) => layer(`sha256:${prefix}${i}`, 100, 0));
  assert.equal(MAX_LAYERS_PER_PULL, 1024);
  assert.throws(
    () => tracker.applyReport(report('w1', [pull('ok', []), pull('big', half('a')), pull('big', half('b'))]), 0),
    (err: Error) =>
      err instanceof ReportLimitError && /pulls\[1\] \(image "127\.0\.0\.1\/big:1"\) has 1200 distinct layers/.test(err.message),
  );
  assert.equal(events.length, 0);
  assert.equal(tracker.counts().pulls, 0);
  // Duplicated digests are one layer: 2 × 600 of the same layers merge to 600, accepted.
  tracker.applyReport(report('w1', [pull('big', half('a')), pull('big', half('a'))]), 0);
  assert.equal(tracker.list({}, 0, true)[0]?.layers?.length, 600);
});

test('more than 2,048 layers across the pulls of one report: refused, naming the count, nothing changed', () => {
  const { tracker, events } = setup();
  const layers = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => layer(`sha256:${prefix}${i}`, 100, 0));
  assert.equal(MAX_LAYERS_PER_REPORT, 2048);
  const pulls = [pull('a', layers('a', 1000)), pull('b', layers('b', 1000)), pull('c', layers('c', 49))];
  assert.throws(
    () => tracker.applyReport(report('w1', pulls), 0),
    (err: Error) =>
      err instanceof ReportLimitError && /the report has 2049 distinct layers across its 3 pulls.*at most 2048/.test(err.message),
  );
  assert.equal(events.length, 0);
  assert.equal(tracker.counts().pulls, 0);
  // Exactly at the cap: accepted.
  tracker.applyReport(report('w1', [pull('a', layers('a', 1000)), pull('b', layers('b', 1000)), pull('c', layers('c', 48))]), 0);
  assert.equal(tracker.counts().pulls, 3);
});

test('sums past 2^53 − 1 are served clamped and finite', () => {
  const { tracker } = setup();
  const max = Number.MAX_SAFE_INTEGER;
  tracker.applyReport(report('w1', [pull('app', [layer('sha256:a', max, max - 1), layer('sha256:b', max, max)])]), 0);
  const [s] = tracker.list({}, 0, true);
  assert.equal(s?.totalBytes, max);
  assert.equal(s?.downloadedBytes, max);
  assert.ok(Number.isFinite(s?.percent) && (s?.percent ?? -1) >= 0 && (s?.percent ?? 101) <= 100);
});

test('a layer reporting more bytes than its provisional size never shows over 100 percent', () => {
  const { tracker } = setup();
  tracker.applyReport(
    report('w1', [pull('app', [{ digest: 'sha256:a', totalBytes: 10, downloadedBytes: 50, totalKnown: false, state: 'downloading' }])]),
    0,
  );
  const l = tracker.list({}, 0, true)[0]?.layers?.[0];
  assert.ok(l && l.percent <= 100, `layer percent ${l?.percent}`);
});

test("per-node pull cap: the node's finished pulls make room; unfinished ones over the cap are refused for that node only", () => {
  const { tracker } = setup({ maxPullsPerNode: 2 });
  tracker.applyReport(report('w1', [pull('a', [layer('sha256:1', 10, 10, 'done')], { status: 'completed' }), pull('b', [])]), 0);
  // a is finished: it leaves the live view to make room for c.
  tracker.applyReport(report('w1', [pull('b', []), pull('c', [])]), 1000);
  assert.deepEqual(
    tracker
      .list({}, 1000, false)
      .map((p) => p.imageRef)
      .sort(),
    ['127.0.0.1/b:1', '127.0.0.1/c:1'],
  );
  assert.throws(
    () => tracker.applyReport(report('w1', [pull('b', []), pull('c', []), pull('d', [])]), 2000),
    (err: Error) =>
      err instanceof CapacityError && /node w1 has at most 2 unfinished pulls \(PULLTRACE_MAX_PULLS_PER_NODE\)/.test(err.message),
  );
  assert.equal(tracker.counts().pulls, 2, 'nothing changed');
  tracker.applyReport(report('w2', [pull('a', []), pull('b', [])]), 2000);
  assert.equal(tracker.counts().pulls, 4, 'another node is unaffected');
});

test('a re-pull of the same image keeps the finished attempt until its TTL, then both are gone', () => {
  const { tracker } = setup({ historyTtlMs: 10_000 });
  tracker.applyReport(report('w1', [pull('a', [layer('sha256:1', 10, 10, 'done')], { status: 'completed' })]), 0);
  tracker.applyReport(report('w1', [pull('a', [layer('sha256:1', 10, 0)], { startedAt: '2026-11-27T10:05:00.000Z' })]), 1000);
  assert.equal(tracker.list({}, 1000, false).length, 2);
  tracker.applyReport(
    report('w1', [pull('a', [layer('sha256:1', 10, 10, 'done')], { status: 'completed', startedAt: '2026-11-27T10:05:00.000Z' })]),
    2000,
  );
  tracker.tick(12_000);
  assert.equal(tracker.list({}, 12_000, false).length, 0, 'the replaced attempt is not kept forever');
  assert.equal(tracker.counts().pulls, 0);
});

test('a silent node: its unfinished pulls fail once; the same pull reported again resumes under its id', () => {
  const { tracker, events } = setup({ nodeTimeoutMs: 5000 });
  const attempt = (down: number, extra = {}) => pull('app', [layer('sha256:a', 10 * MiB, down)], extra);
  tracker.applyReport(report('w1', [attempt(MiB)]), 0);
  tracker.applyReport(report('w2', [pull('other', [layer('sha256:o', 10, 0)])]), 4000);
  tracker.tick(4999);
  assert.equal(events.filter((e) => e.type === 'pull.failed').length, 0);
  tracker.tick(5000);
  tracker.tick(6000);
  const failed = events.filter((e) => e.type === 'pull.failed');
  assert.equal(failed.length, 1, 'one pull.failed, for w1 only');
  assert.equal(failed[0]?.nodeName, 'w1');
  assert.equal(failed[0]?.pull?.error, agentLostError('w1'));
  assert.equal(failed[0]?.pull?.error, 'agent on w1 stopped reporting');
  const id = failed[0]?.pull?.id as string;

  tracker.applyReport(report('w1', [attempt(2 * MiB)]), 7000);
  const resumed = events.find((e) => e.type === 'pull.resumed');
  assert.equal(resumed?.pull?.id, id, 'same id');
  assert.equal(resumed?.pull?.status, 'pulling');
  assert.equal(resumed?.pull?.error, undefined);
  assert.equal(tracker.status(id, 7000)?.downloadedBytes, 2 * MiB);
  assert.equal(events.filter((e) => e.type === 'pull.started').length, 2, 'no new pull for w1 (one each for w1, w2)');
  // Finished, its speed was no longer kept (compact form); resumed, it is measured again.
  tracker.applyReport(report('w1', [attempt(4 * MiB)]), 7500);
  const s = tracker.status(id, 7500, true);
  assert.equal(s?.bytesPerSec, 4 * MiB, 'pull speed over the resumed reports');
  assert.equal(s?.layers?.[0]?.bytesPerSec, 4 * MiB, 'layer speed over the resumed reports');
  tracker.applyReport(report('w1', [attempt(10 * MiB, { status: 'completed' })]), 8000);
  assert.equal(tracker.status(id, 8000)?.status, 'completed');
});

test('held node timeouts: silence counts from the end of the hold, not from the last report', () => {
  const { tracker, events } = setup({ nodeTimeoutMs: 5000 });
  tracker.applyReport(report('w1', [pull('app', [layer('sha256:a', 10 * MiB, MiB)])]), 0);
  // reports refused for a reason not the agent's (TokenReview down) from 1 s to 15 s
  for (let at = 1000; at <= 15_000; at += 1000) {
    tracker.holdNodeTimeouts(at + 5000);
    tracker.tick(at);
  }
  tracker.holdNodeTimeouts(10_000); // an earlier hold never shortens a later one
  tracker.tick(24_999);
  assert.equal(events.filter((e) => e.type === 'pull.failed').length, 0, 'a three-times-the-timeout outage fails nothing');
  tracker.tick(25_000);
  const failed = events.filter((e) => e.type === 'pull.failed');
  assert.equal(failed.length, 1, 'a node still silent one timeout after the hold is timed out');
  assert.equal(failed[0]?.pull?.error, agentLostError('w1'));
});

test('a silent node with a new attempt of the image gets a new pull, not a resume', () => {
  const { tracker, events } = setup({ nodeTimeoutMs: 1000 });
  tracker.applyReport(report('w1', [pull('app', [layer('sha256:a', 10, 1)])]), 0);
  tracker.tick(1000);
  tracker.applyReport(report('w1', [pull('app', [layer('sha256:a', 10, 0)], { startedAt: '2026-11-27T11:00:00.000Z' })]), 2000);
  assert.equal(events.filter((e) => e.type === 'pull.resumed').length, 0);
  assert.equal(events.filter((e) => e.type === 'pull.started').length, 2);
});

test("kubelet's pull time and image size are kept only when a reader can use them", () => {
  const { tracker } = setup();
  tracker.applyReport(report('w1', [pull('app', [layer('sha256:a', 10, 10, 'done')], { status: 'completed' })]), 0);
  const id = tracker.list({}, 0, false)[0]?.id as string;
  assert.equal(tracker.annotateKubelet(id, { pullSeconds: Number.POSITIVE_INFINITY, imageBytes: 1e23 }, 0)?.kubeletImageBytes, undefined);
  assert.equal(tracker.status(id, 0)?.kubeletPullSeconds, undefined);
  const ok = tracker.annotateKubelet(id, { pullSeconds: 1.5, imageBytes: 543_804_759 }, 0);
  assert.equal(ok?.kubeletPullSeconds, 1.5);
  assert.equal(ok?.kubeletImageBytes, 543_804_759);
});
