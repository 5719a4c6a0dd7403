import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NO_COLORS } from './colors.js';
import type { WatchedPull } from './pullTable.js';
import { renderScreen, type ScreenState } from './screen.js';

function pull(id: string, extra: Partial<WatchedPull> = {}): WatchedPull {
  return {
    id,
    nodeName: `worker-${id}`,
    imageRef: 'registry.example.com/app:v2',
    status: 'pulling',
    totalBytes: 100_000_000,
    downloadedBytes: 45_600_000,
    cachedBytes: 0,
    bytesPerSec: 12_300_000,
    etaSeconds: 185,
    percent: 45.6,
    layerCount: 2,
    layersDone: 1,
    startedAt: '2026-01-01T00:00:00Z',
    pods: [],
    totalKnown: true,
    ...extra,
  };
}

function state(extra: Partial<ScreenState>): ScreenState {
  return {
    server: 'http://127.0.0.1:8080',
    connection: 'live',
    connectionOk: true,
    notice: '',
    pulls: [],
    known: 0,
    filterText: '',
    editingFilter: false,
    statusFilter: '',
    selectedId: undefined,
    expanded: new Set(),
    width: 140,
    height: 30,
    ...extra,
  };
}

test('an image with its rollout line and a row per pull: bar, percent, speed, ETA, status; failures with reason', () => {
  const pulls = [pull('1'), pull('2', { status: 'failed', percent: 10, error: 'manifest unknown', failureReason: 'not_found' })];
  const { lines, order } = renderScreen(state({ pulls, known: 2 }), NO_COLORS);
  const text = lines.join('\n');
  assert.match(text, /registry\.example\.com\/app:v2 {2}2 nodes: 0 done · 1 pulling · 0 stalled · 1 failed/);
  assert.match(text, /worker-1 +█+░+ +45\.6% +12\.3 MB\/s {2}ETA 3m05s +pulling/);
  assert.match(text, /worker-2 .* failed +manifest unknown \(not found\)/);
  assert.deepEqual(order, ['2', '1'], 'failed first');
});

test('every line fits the width; the window keeps the selected row in view', () => {
  const pulls = Array.from({ length: 100 }, (_, i) => pull(String(i).padStart(3, '0'), { etaSeconds: 1000 - i }));
  const { lines } = renderScreen(state({ pulls, known: 100, width: 60, height: 12, selectedId: '080' }), NO_COLORS);
  assert.equal(lines.length, 12);
  for (const line of lines) assert.ok([...line].length <= 60, `too wide: ${line}`);
  assert.ok(
    lines.some((l) => l.startsWith('› worker-080')),
    lines.join('\n'),
  );
  assert.match(lines[lines.length - 1] ?? '', /↑ \d+ more {2}↓ \d+ more/);
});

test('expanded pull shows its layers; unknown statuses and layer states render as text', () => {
  const layers = [
    {
      pullId: '1',
      digest: `sha256:${'a'.repeat(64)}`,
      mediaType: 'x',
      totalBytes: 10_000_000,
      downloadedBytes: 5_000_000,
      bytesPerSec: 1_000_000,
      percent: 50,
      totalKnown: true,
      state: 'downloading' as const,
    },
    {
      pullId: '1',
      digest: `sha256:${'b'.repeat(64)}`,
      mediaType: 'x',
      totalBytes: 1_000,
      downloadedBytes: 1_000,
      bytesPerSec: 0,
      percent: 100,
      totalKnown: true,
      state: 'shared' as 'done',
      sharedWith: 'p9',
    },
  ];
  const { lines } = renderScreen(
    state({ pulls: [pull('1', { status: 'verifying', layers })], known: 1, expanded: new Set(['1']) }),
    NO_COLORS,
  );
  const text = lines.join('\n');
  assert.match(text, /aaaaaaaaaaaa .* 50\.0% {2}5\.00 MB\/10\.0 MB .*1\.00 MB\/s {2}downloading/);
  assert.match(text, /bbbbbbbbbbbb .*shared with p9/);
  assert.match(text, /verifying/);
});

test('empty states and the filter line', () => {
  assert.match(renderScreen(state({}), NO_COLORS).lines.join('\n'), /No pulls yet/);
  const filtered = renderScreen(state({ known: 3, filterText: 'db', statusFilter: 'failed' }), NO_COLORS).lines.join('\n');
  assert.match(filtered, /No pulls match/);
  assert.match(filtered, /filter: "db" {2}status: failed/);
  assert.match(filtered, /0 of 3 pulls/);
});
