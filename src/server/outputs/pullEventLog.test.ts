import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../log/index.js';
import type { PullEvent, PullEventType, PullStatus } from '../../model/index.js';
import { logPullEvent } from './pullEventLog.js';

function logged(type: PullEventType, status: PullStatus['status']): Array<{ level: string; type: string }> {
  const lines: Array<{ level: string; type: string }> = [];
  const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });
  const pull = { id: 'p1', imageRef: 'app:1', status, layers: [] } as unknown as PullStatus;
  const event: PullEvent = { schemaVersion: 'v1', timestamp: '2026-11-28T10:00:00.000Z', type, nodeName: 'w1', pull };
  logPullEvent(logger, event);
  return lines;
}

test('lifecycle at info (failures and stalls at warn); progress at debug, except progress of a finished pull', () => {
  const table: Array<[PullEventType, PullStatus['status'], string | undefined]> = [
    ['pull.started', 'pulling', 'info'],
    ['pull.completed', 'completed', 'info'],
    ['pull.failed', 'failed', 'warn'],
    ['pull.stalled', 'stalled', 'warn'],
    ['pull.progress', 'pulling', undefined],
    ['layer.progress', 'pulling', undefined],
    // kubelet's refinements of a finished pull: worth a line
    ['pull.progress', 'failed', 'info'],
    ['pull.progress', 'completed', 'info'],
  ];
  for (const [type, status, level] of table) {
    const lines = logged(type, status);
    assert.deepEqual(
      lines.map((l) => l.level),
      level ? [level] : [],
      `${type} of a ${status} pull`,
    );
    if (level) assert.equal(lines[0]?.type, type);
  }
});
