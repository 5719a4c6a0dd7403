import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faultReporter, guarded } from './faultReport.js';
import { createLogger } from './index.js';

test('a fault is logged once per place at error level, then only at debug level; guarded never throws', () => {
  const lines: Array<{ level: string; where: string; faults: number; err: string }> = [];
  const report = faultReporter(createLogger('debug', { write: (line: string) => lines.push(JSON.parse(line)) }));
  for (let i = 0; i < 3; i++) {
    assert.doesNotThrow(() =>
      guarded('sse flush', report, () => {
        throw new TypeError('haystack.toLowerCase is not a function');
      }),
    );
  }
  guarded('metrics', report, () => {
    throw new Error('bad label');
  });
  let ran = false;
  guarded('tick', report, () => {
    ran = true;
  });
  assert.ok(ran);
  const errors = lines.filter((l) => l.level === 'error');
  assert.deepEqual(
    errors.map((l) => [l.where, l.err]),
    [
      ['sse flush', 'haystack.toLowerCase is not a function'],
      ['metrics', 'bad label'],
    ],
  );
  assert.deepEqual(
    lines.filter((l) => l.level === 'debug').map((l) => l.faults),
    [2, 3],
  );
});
