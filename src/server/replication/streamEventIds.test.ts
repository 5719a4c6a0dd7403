// Table tests: event ids derived from stream sequences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENTS_PER_REPORT, STREAM_EVENT_ID_OFFSET, StreamEventIds } from './streamEventIds.js';

test('events of one report are numbered after its sequence; outside a report there is no id', () => {
  const ids = new StreamEventIds();
  assert.equal(ids.next(), undefined);
  ids.begin(7);
  assert.equal(ids.next(), STREAM_EVENT_ID_OFFSET + 7 * EVENTS_PER_REPORT + 1);
  assert.equal(ids.next(), STREAM_EVENT_ID_OFFSET + 7 * EVENTS_PER_REPORT + 2);
  ids.end();
  assert.equal(ids.next(), undefined);
  ids.begin(8);
  assert.ok((ids.next() ?? 0) > STREAM_EVENT_ID_OFFSET + 7 * EVENTS_PER_REPORT + 2, 'later reports, larger ids');
  assert.ok(Number.isSafeInteger(STREAM_EVENT_ID_OFFSET + 1e9 * EVENTS_PER_REPORT), 'a billion reports stay exact');
  assert.ok(STREAM_EVENT_ID_OFFSET > Date.parse('2200-01-01'), "above the hub's wall-clock ids");
});

test('past EVENTS_PER_REPORT events in one report the hub numbers the rest', () => {
  const ids = new StreamEventIds();
  ids.begin(1);
  for (let i = 1; i < EVENTS_PER_REPORT; i++) assert.notEqual(ids.next(), undefined);
  assert.equal(ids.next(), undefined);
});
