import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeNameFromHostname } from './nodeNameFromHostname.js';
import { parseNodeName } from './settingParsers.js';

test('any host name becomes a valid node name', () => {
  const cases: Array<[string, string]> = [
    ['worker-1', 'worker-1'],
    ['Worker-1.Example.COM', 'worker-1.example.com'],
    ['Dev_Box', 'dev-box'],
    ['MacBook Pro (2)', 'macbook-pro-2'],
    ['-odd-.-name-.', 'odd.name'],
    ['..', 'localhost'],
    ['', 'localhost'],
    ['ü', 'localhost'],
    [`${'a'.repeat(70)}.b`, `${'a'.repeat(63)}.b`],
    ['x'.repeat(300), 'x'.repeat(63)],
  ];
  for (const [host, want] of cases) {
    const got = nodeNameFromHostname(host);
    assert.equal(got, want, host);
    assert.equal(parseNodeName(got), got, `${host} → ${got} is accepted`);
  }
  const long = Array.from({ length: 10 }, () => 'y'.repeat(40)).join('.');
  assert.ok(nodeNameFromHostname(long).length <= 253);
  assert.equal(parseNodeName(nodeNameFromHostname(long)), nodeNameFromHostname(long));
});
