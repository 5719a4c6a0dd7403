import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { KeepAliveConnection, parseResponse } from './rawHttpClient.js';

test('parseResponse: status and length of whole responses; undefined while incomplete', () => {
  const ok = 'HTTP/1.1 200 OK\r\ncontent-length: 17\r\n\r\n{"accepted":true}';
  const chunked = 'HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n';
  for (const [text, want] of [
    [ok, { status: 200, length: ok.length }],
    [`${ok}HTTP/1.1 200`, { status: 200, length: ok.length }],
    [ok.slice(0, -1), undefined],
    ['HTTP/1.1 204 No Content\r\n\r\n', { status: 204, length: 27 }],
    [chunked, { status: 400, length: chunked.length }],
    [chunked.slice(0, -2), undefined],
    ['HTTP/1.1 200 OK\r\ncontent-len', undefined],
  ] as const) {
    assert.deepEqual(parseResponse(Buffer.from(text)), want, JSON.stringify(text));
  }
});

test('posts over one kept-alive socket and reads each status', async (t) => {
  const sockets = new Set<unknown>();
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    sockets.add(req.socket);
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(body.includes('bad') ? 400 : 200, { 'content-type': 'application/json' });
      res.end('{"accepted":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const conn = new KeepAliveConnection((server.address() as AddressInfo).port, '/api/v1/report');
  t.after(() => conn.close());
  assert.equal(await conn.post('{"a":1}', 5000), 200);
  assert.equal(await conn.post('{"bad":"é"}', 5000), 400);
  assert.equal(await conn.post('{"a":2}', 5000), 200);
  assert.deepEqual(bodies, ['{"a":1}', '{"bad":"é"}', '{"a":2}']);
  assert.equal(sockets.size, 1, 'one socket for every request');
});
