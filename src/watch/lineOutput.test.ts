import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NO_COLORS } from './colors.js';
import { LineOutput } from './lineOutput.js';
import { PullTable, type WatchedPull } from './pullTable.js';

function pull(extra: Partial<WatchedPull>): WatchedPull {
  return {
    id: 'p1',
    nodeName: 'worker-1',
    imageRef: 'docker.io/library/app:1',
    status: 'pulling',
    totalBytes: 100_000_000,
    downloadedBytes: 0,
    cachedBytes: 0,
    bytesPerSec: 0,
    percent: 0,
    layerCount: 2,
    layersDone: 0,
    startedAt: '2026-01-01T00:00:00Z',
    pods: [],
    totalKnown: true,
    ...extra,
  };
}

const strip = (line: string) => line.replace(/^\d\d:\d\d:\d\d {2}/, ''); // the time of a pull line

test('plain: a line when the whole percent changes or the status does, then the image summary', () => {
  const table = new PullTable();
  const out = new LineOutput('plain', NO_COLORS);
  const feed = (p: WatchedPull, type = 'pull.progress') => out.linesFor(table.put(p, type), () => table.pulls.values()).map(strip);
  assert.deepEqual(feed(pull({ percent: 10.2, bytesPerSec: 5_000_000, etaSeconds: 18 })), [
    'worker-1  docker.io/library/app:1  pulling  10.2%  5.00 MB/s  ETA 18s',
  ]);
  assert.deepEqual(feed(pull({ percent: 10.7, bytesPerSec: 5_000_000, etaSeconds: 17 })), [], 'same whole percent: no line');
  assert.equal(feed(pull({ percent: 11.1, bytesPerSec: 5_000_000, etaSeconds: 16 })).length, 1);
  assert.deepEqual(
    feed(pull({ status: 'failed', percent: 40, error: 'read: connection reset\nby peer', failureReason: 'network' }), 'pull.failed'),
    [
      'worker-1  docker.io/library/app:1  failed  40.0%  error: read: connection reset by peer (network)',
      '== docker.io/library/app:1  1 node: 0 done · 0 pulling · 0 stalled · 1 failed  0.0%  –',
    ],
  );
});

test('wide adds bytes, layers, pods and id', () => {
  const table = new PullTable();
  const out = new LineOutput('wide', NO_COLORS);
  const [line] = out.linesFor(
    table.put(
      pull({
        percent: 50,
        downloadedBytes: 50_000_000,
        layersDone: 1,
        pods: [{ namespace: 'shop', podName: 'web-1', container: 'c', image: 'i' }],
      }),
    ),
    () => table.pulls.values(),
  );
  assert.match(line ?? '', /50\.0 MB\/100 MB {2}cached 0 B {2}layers 1\/2 {2}pods shop\/web-1 {2}id p1$/);
});

test('json prints the event as received', () => {
  const table = new PullTable();
  const out = new LineOutput('json', NO_COLORS);
  const raw = { schemaVersion: 'v1', type: 'pull.started', extraField: 1, pull: pull({}) };
  assert.deepEqual(
    out.linesFor(table.put(pull({}), 'pull.started'), () => [], raw),
    [JSON.stringify(raw)],
  );
});

test('closing summary is printed once, not repeated after the last lifecycle line', () => {
  const table = new PullTable();
  const out = new LineOutput('plain', NO_COLORS);
  out.linesFor(table.put(pull({})), () => table.pulls.values());
  const last = out.linesFor(table.put(pull({ status: 'completed', percent: 100, downloadedBytes: 100_000_000 }), 'pull.completed'), () =>
    table.pulls.values(),
  );
  assert.equal(last.length, 2);
  assert.deepEqual(out.closingLines(table.pulls.values()), []);
  const fresh = new LineOutput('plain', NO_COLORS);
  assert.deepEqual(fresh.closingLines(table.pulls.values()), [
    '== docker.io/library/app:1  1 node: 1 done · 0 pulling · 0 stalled · 0 failed  100.0%  –',
  ]);
});

test('plain and wide: no control character from any field reaches the line; each shows as a visible escape', () => {
  const crafted = pull({
    id: 'p\x1b[2J',
    nodeName: 'worker\x07-1',
    imageRef: 'evil.example/app\x1b]2;owned\x07:1',
    status: 'failed',
    error: 'denied\x1b[31m\r\nspoofed',
    failureReason: 'auth\x9b' as WatchedPull['failureReason'],
    pods: [{ namespace: 'ns\x1b', podName: 'web\x07', container: 'c', image: 'i' }],
  });
  for (const mode of ['plain', 'wide'] as const) {
    const table = new PullTable();
    const out = new LineOutput(mode, NO_COLORS);
    const lines = [
      ...out.linesFor(table.put(crafted, 'pull.failed'), () => table.pulls.values()),
      ...new LineOutput(mode, NO_COLORS).closingLines(table.pulls.values()),
    ];
    for (const line of lines) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is about control characters
      assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f]/, `${mode}: ${JSON.stringify(line)}`);
    }
    const [first] = lines;
    assert.match(first ?? '', /worker\\x07-1 {2}evil\.example\/app\\x1b\]2;owned\\x07:1 {2}failed/);
    assert.match(first ?? '', /error: denied\\x1b\[31m spoofed \(auth\\x9b\)/);
    if (mode === 'wide') assert.match(first ?? '', /pods ns\\x1b\/web\\x07 {2}id p\\x1b\[2J/);
  }
});
