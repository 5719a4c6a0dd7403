import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanMessage } from './prettyDestination.js';

test('humanMessage: component, message and a pull’s figures', () => {
  for (const [log, want] of [
    [{ msg: 'listening' }, 'listening'],
    [{ msg: 'listening', component: 'server' }, '[server] listening'],
    [
      {
        msg: 'pull.failed a:1 on w1',
        component: 'server',
        pull: { status: 'failed', percent: 40, error: 'EOF', failureReason: 'network' },
      },
      '[server] pull.failed a:1 on w1 · failed · 40.0% · error: EOF (network)',
    ],
    [{ msg: 'pull.completed a:1 on w1', pull: { status: 'completed', percent: 100 } }, 'pull.completed a:1 on w1 · completed · 100.0%'],
  ] as Array<[Record<string, unknown>, string]>) {
    assert.equal(humanMessage(log), want);
  }
});
