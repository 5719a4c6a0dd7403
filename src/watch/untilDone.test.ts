import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WatchedPull } from './pullTable.js';
import { timeoutMessage, UntilDone, verdictOf } from './untilDone.js';

const START = Date.parse('2026-01-01T12:00:00Z');

function pull(id: string, status: string, startedAt: string, extra: Partial<WatchedPull> = {}): WatchedPull {
  return {
    id,
    nodeName: `node-${id}`,
    imageRef: 'docker.io/library/app:1',
    status,
    totalBytes: 100,
    downloadedBytes: 0,
    cachedBytes: 0,
    bytesPerSec: 0,
    percent: 0,
    layerCount: 1,
    layersDone: 0,
    startedAt,
    pods: [],
    totalKnown: true,
    ...extra,
  };
}

test('verdictOf: waiting with none, while any is unfinished (unknown statuses too), then completed or failed', () => {
  assert.equal(verdictOf([]), 'waiting');
  assert.equal(verdictOf([pull('a', 'completed', ''), pull('b', 'verifying', '')]), 'waiting');
  assert.equal(verdictOf([pull('a', 'completed', ''), pull('b', 'completed', '')]), 'completed');
  assert.equal(verdictOf([pull('a', 'completed', ''), pull('b', 'failed', '')]), 'failed');
});

test('UntilDone: pulls finished before it started are ignored, however they ended', () => {
  const done = new UntilDone(START);
  const stale = [pull('old-ok', 'completed', '2026-01-01T11:00:00Z'), pull('old-bad', 'failed', '2026-01-01T11:59:59Z')];
  for (const p of stale) done.see(p);
  assert.deepEqual(done.counting(stale), []);
  assert.equal(done.verdict(stale), 'waiting');
});

test('UntilDone: a pull seen unfinished counts (and stays counted when it ends); one started since counts finished', () => {
  const done = new UntilDone(START);
  done.see(pull('running', 'pulling', '2026-01-01T11:00:00Z'));
  done.see(pull('fast', 'completed', '2026-01-01T12:00:00Z'));
  done.see(pull('bad-date', 'completed', 'not a time'));
  const now = [
    pull('running', 'completed', '2026-01-01T11:00:00Z'),
    pull('fast', 'completed', '2026-01-01T12:00:00Z'),
    pull('bad-date', 'completed', 'not a time'),
  ];
  done.see(now[0] as WatchedPull);
  assert.deepEqual(
    done.counting(now).map((p) => p.id),
    ['running', 'fast'],
  );
  assert.equal(done.verdict(now), 'completed');
  done.see(pull('later', 'failed', '2026-01-01T12:00:05Z'));
  assert.equal(done.verdict([...now, pull('later', 'failed', '2026-01-01T12:00:05Z')]), 'failed');
});

test('timeoutMessage: names the unfinished pulls (printable, at most ten), or says none started', () => {
  assert.equal(
    timeoutMessage('2s', [], '2026-01-01T12:00:00.000Z'),
    'timed out after 2s: no matching pull started since 2026-01-01T12:00:00.000Z (an image already on every node is not pulled again)',
  );
  const counted = [
    pull('a', 'completed', ''),
    pull('b', 'pulling', '', { nodeName: 'w\x1b[2J1', percent: 42 }),
    pull('c', 'stalled', '', { percent: 7.25 }),
  ];
  assert.equal(
    timeoutMessage('1m30s', counted, 'x'),
    'timed out after 1m30s: 2 of 3 pulls still unfinished: w\\x1b[2J1 docker.io/library/app:1 (pulling 42.0%), node-c docker.io/library/app:1 (stalled 7.3%)',
  );
  const many = Array.from({ length: 12 }, (_, i) => pull(`p${i}`, 'pulling', ''));
  assert.match(
    timeoutMessage('5s', many, 'x'),
    /: 12 of 12 pulls still unfinished: (node-p\d+ \S+ \(pulling 0\.0%\), ){9}node-p9 \S+ \(pulling 0\.0%\), and 2 more$/,
  );
});
