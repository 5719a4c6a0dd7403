import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseViewer } from './sseViewer.js';

const msg = (id: number, type: string, pullId: string, status = 'pulling') =>
  `id: ${id}\ndata: {"schemaVersion":"v1","type":"${type}","nodeName":"n","pull":{"id":"${pullId}","nodeName":"n","status":"${status}","pods":[]}}\n\n`;

test('counts messages, coverage per window, order violations', () => {
  const v = new SseViewer(false);
  v.startMeasuring();
  // Split across chunks anywhere: parsing must not care.
  const text = msg(1, 'pull.started', 'a') + msg(2, 'pull.started', 'b');
  v.feed(text.slice(0, 17));
  v.feed(text.slice(17));
  v.closeWindow(); // a and b were not active at this window's start: not counted
  assert.equal(v.figures.windows, 0);
  v.feed(msg(3, 'pull.progress', 'a'));
  v.closeWindow(); // a seen, b not: 50 %
  assert.equal(v.figures.worstCoverage, 0.5);
  v.feed(msg(4, 'pull.progress', 'a') + msg(5, 'pull.progress', 'b') + msg(6, 'pull.completed', 'b', 'completed'));
  v.closeWindow(); // a seen; b ended: only a counts
  assert.equal(v.figures.worstCoverage, 0.5);
  assert.equal(v.figures.windows, 2);
  // A catch-up snapshot shows b as it is now: finished. Not out of order.
  v.feed(msg(6, 'pull.progress', 'b', 'completed'));
  assert.equal(v.figures.orderViolations, 0);
  v.feed(msg(7, 'pull.progress', 'b') + msg(2, 'pull.progress', 'a'));
  assert.equal(v.figures.orderViolations, 2, 'b shown pulling after completion, and a falling id');
  assert.equal(v.figures.messages, 9);
  v.checkAgainst(['a', 'zz'], v.seenEver);
  assert.equal(v.figures.missedPulls, 1);
});
