import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from './sseParser.js';

for (const [name, chunks, want] of [
  ['one message', ['id: 1\ndata: {"a":1}\n\n'], [{ id: '1', data: '{"a":1}' }]],
  ['split anywhere', ['id: 7\nda', 'ta: x\n', '\n'], [{ id: '7', data: 'x' }]],
  ['CRLF split between \\r and \\n', ['data: a\r', '\n\r\n'], [{ data: 'a' }]],
  ['comments are heartbeats, not messages', [': ping\n\n'], []],
  ['multi-line data', ['data: a\ndata: b\n\n'], [{ data: 'a\nb' }]],
  ['named event', ['event: x\ndata: 1\n\n'], [{ event: 'x', data: '1' }]],
  [
    'id carries over',
    ['id: 3\ndata: a\n\ndata: b\n\n'],
    [
      { id: '3', data: 'a' },
      { id: '3', data: 'b' },
    ],
  ],
  ['no space after colon', ['data:z\n\n'], [{ data: 'z' }]],
  ['incomplete message waits', ['data: a\n'], []],
] as Array<[string, string[], unknown[]]>) {
  test(`SseParser: ${name}`, () => {
    const parser = new SseParser();
    const got = chunks.flatMap((c) => parser.feed(c));
    assert.deepEqual(got, want);
  });
}

test('SseParser remembers the last id for Last-Event-ID', () => {
  const parser = new SseParser();
  parser.feed('id: 41\ndata: a\n\nid: 42\ndata: b\n\n');
  assert.equal(parser.lastEventId, '42');
});

test('SseParser: a line past the limit is an error naming the limit, whether it ends or not', () => {
  const limited = () => new SseParser(16);
  assert.deepEqual(limited().feed(`data: ${'x'.repeat(10)}\n\n`), [{ data: 'x'.repeat(10) }], 'within the limit');
  assert.throws(() => limited().feed(`data: ${'x'.repeat(20)}`), /event stream sent a line larger than 16 characters/);
  const parser = limited();
  parser.feed('data: 0123');
  assert.throws(() => parser.feed('456789abcdef'), /a line larger than 16 characters/, 'across chunks');
  assert.throws(() => limited().feed(`: ${'x'.repeat(20)}\n`), /a line larger/, 'a comment line too');
});

test('SseParser: an event whose data lines add up past the limit is an error', () => {
  const parser = new SseParser(16);
  assert.throws(() => parser.feed('data: 123456\ndata: 123456\ndata: 123456\n'), /event stream sent an event larger than 16 characters/);
});

test('SseParser: the default limit is 1 MiB', () => {
  const parser = new SseParser();
  assert.equal(parser.feed(`data: ${'x'.repeat(1024 * 1024 - 100)}\n\n`).length, 1);
  assert.throws(() => parser.feed(`data: ${'x'.repeat(1024 * 1024)}`), /larger than 1 MiB/);
});
