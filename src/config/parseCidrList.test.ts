import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCidrList } from './parseCidrList.js';
import { SettingError } from './settingParsers.js';

test('addresses and CIDR ranges of both families, blanks and spaces ignored', () => {
  assert.deepEqual(parseCidrList(''), []);
  assert.deepEqual(parseCidrList(' 10.0.0.0/8, 192.168.1.10 ,,FD00::/8, ::1'), ['10.0.0.0/8', '192.168.1.10', 'fd00::/8', '::1']);
  assert.deepEqual(parseCidrList('0.0.0.0/0,::/0'), ['0.0.0.0/0', '::/0']);
});

test('anything else is refused, naming the entry', () => {
  for (const [text, message] of [
    ['10.0.0.0/33', /"10\.0\.0\.0\/33": the prefix length must be 0 to 32/],
    ['fd00::/129', /0 to 128/],
    ['10.0.0.0/', /prefix length/],
    ['10.0.0.0/-1', /prefix length/],
    ['ingress-nginx', /"ingress-nginx" is not an IP address or CIDR range/],
    ['10.0.0.300/8', /not an IP address/],
    ['10.0.0.0/8/8', /not an IP address/],
    ['10.0.0.0 /8', /not an IP address/],
  ] as const) {
    assert.throws(
      () => parseCidrList(text),
      (err: Error) => err instanceof SettingError && message.test(err.message),
      text,
    );
  }
});
