import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanMessage, prettyDestination } from './prettyDestination.js';

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

test('text format: no control character from a record reaches the line; with colours only the colour sequences', () => {
  const record = {
    level: 'warn',
    time: '2026-01-01T00:00:00.000Z',
    component: 'server',
    msg: 'pull.failed evil.example/app\x1b]2;owned\x07:1 on w1',
    pull: { status: 'failed', percent: 40, error: 'denied\x1b[2J\r\nspoofed', failureReason: 'auth' },
    pod: 'web\x9b1m',
  };
  for (const colorize of [false, true]) {
    const lines: string[] = [];
    prettyDestination(colorize, { write: (text: string) => lines.push(text) }).write(`${JSON.stringify(record)}\n`);
    const text = lines.join('');
    // Colour sequences (SGR: ESC [ digits m) are the printer's own; nothing else may be there.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is about control characters
    const rest = text.replace(/\x1b\[[0-9;]*m/g, '').replace(/\n$/, '');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is about control characters
    assert.doesNotMatch(rest, /[\u0000-\u001f\u007f-\u009f]/, JSON.stringify(text));
    assert.match(
      rest,
      /pull\.failed evil\.example\/app\\x1b\]2;owned\\x07:1 on w1 · failed · 40\.0% · error: denied\\x1b\[2J spoofed \(auth\)/,
    );
    assert.match(rest, /web\\{1,2}x9b1m/);
  }
});
