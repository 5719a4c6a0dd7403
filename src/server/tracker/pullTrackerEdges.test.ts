// The tracker's part in the report edges: a trimmed pull keeps its `layersOmitted` (live and
// restored from history), and an agent's error text is redacted before any output sees it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentReport, PullEvent } from '../../model/index.js';
import { PullEventBus } from '../events/pullEventBus.js';
import { PullTracker } from './pullTracker.js';

function setup() {
  const bus = new PullEventBus();
  const events: PullEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const tracker = new PullTracker(bus, { stallTimeoutMs: 5000, historyTtlMs: 60_000, maxNodes: 100, maxPulls: 100 });
  return { tracker, events };
}

const entry = (extra: Partial<AgentReport['pulls'][number]> = {}): AgentReport['pulls'][number] => ({
  imageRef: '127.0.0.1/many:1',
  manifestDigest: 'sha256:m1',
  status: 'pulling',
  totalKnown: true,
  layers: [{ digest: 'sha256:a', mediaType: 'x', totalBytes: 10, downloadedBytes: 5, totalKnown: true, state: 'downloading' }],
  ...extra,
});

test('layersOmitted of the latest report is shown on the pull, and kept when restored from history', () => {
  const { tracker, events } = setup();
  tracker.applyReport({ nodeName: 'w1', pulls: [entry({ layersOmitted: 101 })] }, 0);
  const id = events[0]!.pull!.id;
  assert.equal(tracker.status(id, 0, false)?.layersOmitted, 101);
  tracker.applyReport({ nodeName: 'w1', pulls: [entry({ layersOmitted: 100, status: 'completed' })] }, 1000);
  const finished = tracker.status(id, 1000, true)!;
  assert.equal(finished.layersOmitted, 100);

  const restored = setup().tracker;
  restored.restoreFinished([finished], 2000);
  assert.equal(restored.status(id, 2000, false)?.layersOmitted, 100);

  const plain = setup();
  plain.tracker.applyReport({ nodeName: 'w1', pulls: [entry()] }, 0);
  assert.equal('layersOmitted' in plain.events[0]!.pull!, false, 'absent for a pull reported whole');
});

test("an agent's error text is redacted before the pull.failed event", () => {
  const { tracker, events } = setup();
  const error = 'failed to do request: Get "https://bucket.s3.amazonaws.com/blob?X-Amz-Signature=abc123&X-Amz-Credential=AKIA": EOF';
  tracker.applyReport({ nodeName: 'w1', pulls: [entry()] }, 0);
  tracker.applyReport({ nodeName: 'w1', pulls: [entry({ status: 'failed', error })] }, 1000);
  const failed = events.find((e) => e.type === 'pull.failed');
  assert.equal(failed?.pull?.error, 'failed to do request: Get "https://bucket.s3.amazonaws.com/blob?<redacted>": EOF');
});
