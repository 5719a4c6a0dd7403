// The terminal's rollout line: percent from bytes ("–" when unknown), coloured by the worst state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeRollout } from '../rollout/index.js';
import { rolloutSegments } from './rolloutLine.js';

const pull = (status: string, totalBytes: number, downloadedBytes: number) => ({
  id: status,
  nodeName: `node-${status}`,
  imageRef: 'app:1',
  status,
  percent: 0,
  bytesPerSec: 0,
  totalBytes,
  downloadedBytes,
});

test('an image whose only pull failed shows "–" in red, not 100 %', () => {
  const segments = rolloutSegments(summarizeRollout('app:1', [pull('failed', 0, 0)]));
  const percent = segments.find(([text]) => text === '–');
  assert.ok(percent, `no "–" segment in ${JSON.stringify(segments)}`);
  assert.equal(percent[1], 'red');
  assert.ok(!segments.some(([text]) => text.includes('100')), 'nothing says 100');
});

test('a rollout with every byte in but one failed node is red; all done is green', () => {
  const mixed = rolloutSegments(summarizeRollout('app:1', [pull('completed', 10, 10), pull('failed', 10, 10)]));
  assert.deepEqual(
    mixed.find(([text]) => text === '100.0%'),
    ['100.0%', 'red'],
  );
  const done = rolloutSegments(summarizeRollout('app:1', [pull('completed', 10, 10)]));
  assert.deepEqual(
    done.find(([text]) => text === '100.0%'),
    ['100.0%', 'green'],
  );
});
