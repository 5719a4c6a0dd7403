import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullEvent, PullStatus } from '../../model/index.js';
import { trackerFixture } from '../tracker/trackerFixture.js';
import { eventJson, PullJsonCache } from './eventJson.js';

/** Real events: a tracker fed two reports of a 3-layer pull, then its completion. */
function trackerEvents(): PullEvent[] {
  const { tracker, events } = trackerFixture({ maxNodes: 10, maxPulls: 10 });
  const layers = (down: number) =>
    ['a', 'b', 'c'].map((d) => ({
      digest: `sha256:${d}`,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      totalBytes: 100,
      downloadedBytes: down,
      totalKnown: true,
    }));
  const pull = (down: number, status?: 'completed') => ({
    imageRef: 'registry.example/app:1',
    manifestDigest: 'sha256:m',
    startedAt: '2026-01-01T00:00:00Z',
    ...(status ? { status } : {}),
    layers: layers(down),
  });
  tracker.applyReport({ nodeName: 'n1', pulls: [pull(10)] }, Date.parse('2026-01-01T00:00:01Z'));
  tracker.applyReport({ nodeName: 'n1', pulls: [pull(60)] }, Date.parse('2026-01-01T00:00:02Z'));
  tracker.applyReport({ nodeName: 'n1', pulls: [pull(100, 'completed')] }, Date.parse('2026-01-01T00:00:03Z'));
  return events;
}

function withoutLayers(event: PullEvent): PullEvent {
  if (!event.pull?.layers) return event;
  const { layers: _layers, ...pull } = event.pull;
  return { ...event, pull };
}

test('every kind of tracker event: the same text as JSON.stringify, with and without layers', () => {
  const events = trackerEvents();
  const types = new Set(events.map((e) => e.type));
  for (const t of ['pull.started', 'layer.started', 'layer.progress', 'pull.progress', 'layer.completed', 'pull.completed']) {
    assert.ok(types.has(t as PullEvent['type']), `the fixture has a ${t} event`);
  }
  const cache = new PullJsonCache();
  for (const e of events) {
    assert.equal(eventJson(e, true, cache), JSON.stringify(e), `${e.type} with layers`);
    assert.equal(eventJson(e, false, cache), JSON.stringify(withoutLayers(e)), `${e.type} without layers`);
  }
});

test('the layer events of one report share one pull: its JSON is made once and reused', () => {
  const events = trackerEvents().filter((e) => e.type === 'layer.progress');
  assert.equal(events.length, 3);
  assert.ok(
    events.every((e) => e.pull === events[0]?.pull),
    'the tracker shares one status object',
  );
  const cache = new PullJsonCache();
  for (const e of events) eventJson(e, false, cache);
  assert.equal(cache.size, 1, 'one summary text for the three events');
  for (const e of events) eventJson(e, true, cache);
  assert.equal(cache.size, 1, 'a layer event carries the pull without layers: still one text');
  cache.clear();
  assert.equal(cache.size, 0);
});

test('odd values: a pull with no fields but layers, an event with neither pull nor layer, unicode', () => {
  const cache = new PullJsonCache();
  const bare = { layers: [] } as unknown as PullStatus;
  const e1: PullEvent = { schemaVersion: 'v1', timestamp: '2026-01-01T00:00:00.000Z', type: 'pull.progress', nodeName: 'n', pull: bare };
  assert.deepEqual(JSON.parse(eventJson(e1, true, cache)), e1);
  assert.deepEqual(JSON.parse(eventJson(e1, false, cache)), { ...e1, pull: {} });
  const e2: PullEvent = { schemaVersion: 'v1', timestamp: '2026-01-01T00:00:00.000Z', type: 'pull.progress', nodeName: 'nœud "x"\u2028' };
  assert.equal(eventJson(e2, true, cache), JSON.stringify(e2));
});
