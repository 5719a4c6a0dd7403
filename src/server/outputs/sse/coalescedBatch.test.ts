import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullEvent, PullEventType, PullStatus } from '../../../model/index.js';
import { CoalescedBatch, type HubEntry, isTransition } from './coalescedBatch.js';

let nextId = 0;
function entry(type: string, pullId: string, layer?: string): HubEntry {
  const event = {
    schemaVersion: 'v1',
    timestamp: '2026-11-28T00:00:00.000Z',
    type: type as PullEventType,
    nodeName: 'n1',
    pull: { id: pullId } as PullStatus,
    ...(layer ? { layer: { digest: layer } } : {}),
  } as PullEvent;
  return { id: ++nextId, event };
}
const label = (e: HubEntry) => `${e.event.type}:${e.event.pull?.id}${e.event.layer ? `/${e.event.layer.digest}` : ''}#${e.id}`;

test('every type but pull.progress and layer.progress is a transition, including future ones', () => {
  for (const [type, want] of [
    ['pull.progress', false],
    ['layer.progress', false],
    ['pull.started', true],
    ['pull.stalled', true],
    ['pull.completed', true],
    ['pull.failed', true],
    ['layer.started', true],
    ['layer.completed', true],
    ['pull.unpacking', true],
  ] as const) {
    assert.equal(isTransition(entry(type, 'p').event), want, type);
  }
});

test('progress keeps only the newest per pull and per layer; transitions are all kept, in order', () => {
  nextId = 0;
  const b = new CoalescedBatch();
  const input = [
    entry('pull.started', 'a'), // 1
    entry('pull.progress', 'a'), // 2 replaced by 5
    entry('layer.progress', 'a', 'l1'), // 3 replaced by 6
    entry('pull.progress', 'b'), // 4
    entry('pull.progress', 'a'), // 5 superseded by the stall (7)
    entry('layer.progress', 'a', 'l1'), // 6 superseded by layer.completed (8)
    entry('pull.stalled', 'a'), // 7
    entry('layer.completed', 'a', 'l1'), // 8
    entry('pull.progress', 'a'), // 9 newer than the stall: kept after it
    entry('pull.progress', 'b'), // 10 replaces 4
    entry('pull.unpacking', 'a'), // 11 a future transition: kept, supersedes 9
  ];
  for (const e of input) b.add(e);
  assert.deepEqual(b.list().map(label), [
    'pull.started:a#1',
    'pull.stalled:a#7',
    'layer.completed:a/l1#8',
    'pull.progress:b#10',
    'pull.unpacking:a#11',
  ]);
  const ids = b.list().map((e) => e.id);
  assert.deepEqual(
    ids,
    [...ids].sort((x, y) => x - y),
    'ids ascend, so Last-Event-ID stays meaningful',
  );
});

test('a layer transition does not supersede the pull progress (summary viewers never see layer events)', () => {
  nextId = 0;
  const b = new CoalescedBatch();
  for (const e of [entry('pull.progress', 'a'), entry('layer.started', 'a', 'l2')]) b.add(e);
  assert.deepEqual(b.list().map(label), ['pull.progress:a#1', 'layer.started:a/l2#2']);
});
