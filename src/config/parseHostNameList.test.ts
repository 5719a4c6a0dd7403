import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHostNameList } from './parseHostNameList.js';
import { SettingError } from './settingParsers.js';

test('names and addresses, lowercased; IPv6 in brackets as in a Host header', () => {
  assert.deepEqual(parseHostNameList(''), []);
  assert.deepEqual(parseHostNameList('Pulltrace.Internal, my-laptop,10.1.2.3, fd00::1 ,[::2], dev.example.'), [
    'pulltrace.internal',
    'my-laptop',
    '10.1.2.3',
    '[fd00::1]',
    '[::2]',
    'dev.example',
  ]);
});

test('a port, a scheme or a wildcard is refused, naming the entry', () => {
  for (const text of ['pulltrace.internal:8080', 'http://pulltrace', '*.example.com', 'a b', '-bad']) {
    assert.throws(
      () => parseHostNameList(text),
      (err: Error) => err instanceof SettingError && err.message.includes('is not a host name without port'),
      text,
    );
  }
});
