import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowedHostNames, hostOfHeader } from './hostCheck.js';

test('the host of a Host header, without port, lowercased', () => {
  for (const [header, host] of [
    ['localhost', 'localhost'],
    ['LocalHost:8080', 'localhost'],
    ['127.0.0.1:0', '127.0.0.1'],
    ['[::1]', '[::1]'],
    ['[::1]:9090', '[::1]'],
    ['evil.example:8080', 'evil.example'],
    ['localhost.:8080', 'localhost'],
    ['', ''],
    [undefined, ''],
  ] as const) {
    assert.equal(hostOfHeader(header), host, String(header));
  }
});

test('allowed: the loopback names, the bound address and the extra names; nothing else', () => {
  const allowed = allowedHostNames('127.0.0.1', ['my-laptop']);
  for (const host of ['localhost', '127.0.0.1', '[::1]', 'my-laptop']) assert.ok(allowed.has(host), host);
  for (const host of ['evil.example', 'localhost.evil.example', '127.0.0.2', '', 'my-laptop.evil.example'])
    assert.ok(!allowed.has(host), host);
  assert.ok(allowedHostNames('127.0.0.5', []).has('127.0.0.5'));
  assert.ok(allowedHostNames('::1', []).has('[::1]'));
});
