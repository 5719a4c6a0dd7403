// The applier: every change reaches the tracker through it; a change read from the shared log
// numbers its events after its stream sequence, a local one leaves them to the hub.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentReport } from '../../model/index.js';
import { PullEventBus } from '../events/pullEventBus.js';
import { CapacityError, PullTracker } from '../tracker/pullTracker.js';
import { Applier } from './applier.js';
import { LocalReportLog } from './localReportLog.js';
import { EVENTS_PER_REPORT, STREAM_EVENT_ID_OFFSET } from './streamEventIds.js';

const T = 1_800_000_000_000;
const report = (nodeName: string, image = 'app'): AgentReport =>
  ({
    nodeName,
    pulls: [
      {
        imageRef: `127.0.0.1/${image}:1`,
        status: 'pulling',
        layers: [{ digest: `sha256:${image}`, totalBytes: 100, downloadedBytes: 10 }],
      },
    ],
  }) as AgentReport;

function setup(maxNodes = 10) {
  const bus = new PullEventBus();
  const tracker = new PullTracker(bus, { stallTimeoutMs: 30_000, historyTtlMs: 3_600_000, maxNodes, maxPulls: 100 });
  const applier = new Applier(tracker);
  const ids: Array<[string, number | undefined]> = [];
  bus.subscribe((e) => ids.push([e.type, applier.nextEventId()]));
  return { tracker, applier, ids };
}

test("a change from the shared log numbers its events after its sequence; a local change leaves them to the hub's clock", () => {
  const { applier, ids } = setup();
  applier.report(report('w1'), T, 7);
  const base = STREAM_EVENT_ID_OFFSET + 7 * EVENTS_PER_REPORT;
  assert.deepEqual(ids, [
    ['pull.started', base + 1],
    ['layer.started', base + 2],
  ]);
  ids.length = 0;
  applier.report(report('w2'), T);
  assert.deepEqual(ids, [
    ['pull.started', undefined],
    ['layer.started', undefined],
  ]);
  ids.length = 0;
  applier.tick(T + 60_000, 9);
  assert.deepEqual(
    ids.map(([type, id]) => [type, id === undefined ? undefined : id - STREAM_EVENT_ID_OFFSET - 9 * EVENTS_PER_REPORT]),
    [
      ['pull.stalled', 1],
      ['pull.stalled', 2],
    ],
    "the tick's stalls are numbered after the tick's sequence",
  );
});

test('a refused report is refused before it is appended, with the error applying it would throw, and changes nothing', () => {
  const { tracker, applier } = setup(1);
  applier.report(report('w1'), T);
  const refused = applier.refusal(report('w2'));
  assert.ok(refused instanceof CapacityError);
  assert.equal(refused.what, 'nodes');
  assert.throws(() => applier.report(report('w2'), T), CapacityError);
  assert.equal(applier.refusal(report('w1', 'other')), undefined, 'a known node has room');
  assert.equal(tracker.counts().nodes, 1);
});

test('the local report log applies an appended report at once, refuses what the tracker cannot take, and ticks from its timer', async () => {
  const { tracker, applier } = setup(1);
  let now = T;
  const log = new LocalReportLog(applier, { now: () => now });
  await log.appendReport(report('w1'));
  assert.equal(tracker.counts().pulls, 1, 'applied before appendReport resolved');
  await assert.rejects(log.appendReport(report('w2')), CapacityError);
  now += 60_000;
  log.tick();
  assert.equal(tracker.counts().stalled, 1, "the timer's tick decided the stall");
  assert.equal(log.isSynced, true);
  await log.close();
});
