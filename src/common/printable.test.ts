import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasUnprintable, printable } from './printable.js';

test('printable: controls become visible escapes, line breaks one space, the rest stays', () => {
  for (const [input, want] of [
    ['registry.example.com/shop/app:v2', 'registry.example.com/shop/app:v2'],
    ['\x1b]2;owned\x07app:1', '\\x1b]2;owned\\x07app:1'],
    ['\x1b[2J\x1b[31mcompleted', '\\x1b[2J\\x1b[31mcompleted'],
    ['read: connection reset\r\nby peer\tnow', 'read: connection reset by peer now'],
    ['nul\u0000 del\u007f csi\u009b', 'nul\\x00 del\\x7f csi\\x9b'],
    ['abc\u202edcba', 'abc\\u202edcba'],
    ['isolate\u2066x\u2069', 'isolate\\u2066x\\u2069'],
    ['café ✓ 日本 █░', 'café ✓ 日本 █░'],
    ['', ''],
  ]) {
    assert.equal(printable(input as string), want, JSON.stringify(input));
  }
});

test('printable output has no byte below 0x20 and no DEL or C1 character', () => {
  let all = '';
  for (let c = 0; c < 0x100; c++) all += String.fromCharCode(c);
  const out = printable(all);
  for (const ch of out) {
    const code = ch.codePointAt(0) as number;
    assert.ok(code >= 0x20 && (code < 0x7f || code > 0x9f), `U+${code.toString(16)} left in ${JSON.stringify(out)}`);
  }
  assert.equal(hasUnprintable(out), false);
});

test('hasUnprintable', () => {
  assert.equal(hasUnprintable('docker.io/library/nginx:1.27'), false);
  assert.equal(hasUnprintable('a\x1bb'), true);
  assert.equal(hasUnprintable('a\nb'), true);
  assert.equal(hasUnprintable('a\u202eb'), true);
  assert.equal(hasUnprintable('a\u202eb'), true, 'same answer when asked twice (no regex state left over)');
});

test('printable takes what a JSON record holds without throwing', () => {
  assert.equal(printable(undefined as unknown as string), '');
  assert.equal(printable(42 as unknown as string), '42');
});
