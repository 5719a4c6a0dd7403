// Replicas rely on the tracker being a function of what it is given: two trackers fed the same
// reports and ticks with the same times (the shared log's stamps) take the same timer decisions
// and emit the same events, whatever the wall clock says when they run (see
// docs/adr/0006-timers-from-the-stream.md). Times here are far from now, so a decision taken on
// the wall clock instead of the given time would show.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentReport, PullEvent } from '../../model/index.js';
import { PullEventBus } from '../events/pullEventBus.js';
import { PullTracker } from './pullTracker.js';

const MiB = 1048576;
const T0 = Date.parse('2030-01-01T00:00:00Z');

function report(nodeName: string, downloaded: number): AgentReport {
  return {
    nodeName,
    pulls: [
      {
        imageRef: '127.0.0.1/app:1',
        manifestDigest: 'sha256:m1',
        status: 'pulling',
        totalKnown: true,
        startedAt: new Date(T0 - 1000).toISOString(),
        layers: [
          {
            digest: 'sha256:a',
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            totalBytes: 8 * MiB,
            downloadedBytes: downloaded,
            totalKnown: true,
          },
        ],
      },
    ],
  };
}

type Step = ['report', number, AgentReport] | ['tick', number];

/** What a replica does with the log: reports and ticks in order, each at its stamp. */
function replay(steps: Step[]): PullEvent[] {
  const bus = new PullEventBus();
  const events: PullEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const tracker = new PullTracker(bus, {
    stallTimeoutMs: 2000,
    nodeTimeoutMs: 6000,
    historyTtlMs: 3_600_000,
    maxNodes: 10,
    maxPulls: 10,
    cluster: 'c1',
  });
  for (const step of steps) {
    if (step[0] === 'report') tracker.applyReport(step[2], step[1]);
    else tracker.tick(step[1]);
  }
  return events;
}

test('the same reports and ticks at the same times: the same stall and node timeout, at the tick that decides them', () => {
  // New bytes until T0+1000, the same report once more at T0+2000, then silence; a tick every second.
  const steps: Step[] = [
    ['report', T0, report('n1', MiB)],
    ['tick', T0 + 400],
    ['report', T0 + 1000, report('n1', 2 * MiB)],
    ['tick', T0 + 1400],
    ['report', T0 + 2000, report('n1', 2 * MiB)],
  ];
  for (let s = 2; s <= 9; s++) steps.push(['tick', T0 + s * 1000 + 400]);

  const first = replay(steps);
  const second = replay(steps);
  assert.deepEqual(second, first, 'two replicas, one log: the same events');

  const at = (type: PullEvent['type']) => first.filter((e) => e.type === type).map((e) => e.timestamp);
  // Last new byte at T0+1000; stalled at the first tick at least 2 s later. Last report at T0+2000;
  // node timed out at the first tick at least 6 s later.
  assert.deepEqual(at('pull.stalled'), [new Date(T0 + 3400).toISOString()]);
  assert.deepEqual(at('pull.failed'), [new Date(T0 + 8400).toISOString()]);
  assert.equal(first.find((e) => e.type === 'pull.failed')?.pull?.failureReason, 'agent_lost');
});
