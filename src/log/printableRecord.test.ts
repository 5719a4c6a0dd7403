import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printableRecord } from './printableRecord.js';

test('printableRecord: every string, nested and in arrays, keys too; numbers and booleans stay', () => {
  assert.deepEqual(
    printableRecord({
      level: 'warn',
      msg: 'pull.failed evil\x1b]2;owned\x07:1 on w1',
      pull: { status: 'failed', percent: 40, error: 'denied\r\nby \x1b[2J', pods: [{ podName: 'web\x07' }] },
      'key\x1b': true,
      err: { message: 'boom\x1b[31m', stack: 'Error: boom\x1b[31m\n    at x (file.js:1:1)' },
      nothing: null,
    }),
    {
      level: 'warn',
      msg: 'pull.failed evil\\x1b]2;owned\\x07:1 on w1',
      pull: { status: 'failed', percent: 40, error: 'denied by \\x1b[2J', pods: [{ podName: 'web\\x07' }] },
      'key\\x1b': true,
      err: { message: 'boom\\x1b[31m', stack: 'Error: boom\\x1b[31m\n    at x (file.js:1:1)' },
      nothing: null,
    },
  );
});
