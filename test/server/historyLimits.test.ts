// A server started with a row limit below what its history file holds keeps only the newest rows,
// in the history API and in the live view restored from it. Real server process, real SQLite file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/log/index.js';
import type { PullStatus } from '../../src/model/index.js';
import { HistoryStore } from '../../src/store/index.js';
import { getJson, startPulltrace, TEST_SERVER_FLAGS } from '../kit/index.js';

function finishedPull(i: number, completedAtMs: number): PullStatus {
  return {
    id: `pull-${i}`,
    nodeName: 'node-a',
    imageRef: `registry.example.com/app-${i}:1`,
    status: 'completed',
    totalBytes: 1024,
    downloadedBytes: 1024,
    cachedBytes: 0,
    bytesPerSec: 0,
    percent: 100,
    layerCount: 1,
    layersDone: 1,
    startedAt: new Date(completedAtMs - 1000).toISOString(),
    completedAt: new Date(completedAtMs).toISOString(),
    pods: [],
    totalKnown: true,
    layers: [],
  };
}

test('--history-max-pulls: the oldest rows beyond it are deleted at start-up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-history-limit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'history.db');
  const seed = HistoryStore.open(db, createLogger('error'));
  const now = Date.now();
  for (let i = 0; i < 8; i++) seed.enqueue(finishedPull(i, now - (8 - i) * 1000));
  seed.close();

  const server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', db, '--history-ttl', '1h', '--history-max-pulls', '3']);
  t.after(() => server.stop());
  const history = (await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/history?limit=500`)).body.pulls;
  assert.deepEqual(
    history.map((p) => p.id),
    ['pull-7', 'pull-6', 'pull-5'],
  );
  const live = (await getJson<{ pulls: PullStatus[] }>(`${server.baseUrl}/api/v1/pulls`)).body.pulls;
  assert.deepEqual(live.map((p) => p.id).sort(), ['pull-5', 'pull-6', 'pull-7']);
});
