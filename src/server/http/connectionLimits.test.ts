import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverTimeouts, tlsServerTimeouts } from './connectionLimits.js';

const settings = (requestTimeoutMs: number) => ({
  requestTimeoutMs,
  maxConnections: 20_000,
  maxConnectionsPerAddress: 256,
  listenBacklog: 4096,
});

// [request timeout] → headers, handshake, how often Node checks them
for (const [requestMs, headersMs, handshakeMs, checkMs] of <Array<[number, number, number, number]>>[
  [30_000, 10_000, 10_000, 1_000],
  [2_000, 2_000, 2_000, 1_000],
  [500, 500, 500, 500],
]) {
  test(`request timeout ${requestMs} ms: headers ${headersMs} ms, TLS handshake ${handshakeMs} ms, checked every ${checkMs} ms`, () => {
    const tls = tlsServerTimeouts(settings(requestMs));
    assert.deepEqual(tls, {
      headersTimeout: headersMs,
      requestTimeout: requestMs,
      keepAliveTimeout: 72_000,
      connectionsCheckingInterval: checkMs,
      handshakeTimeout: handshakeMs,
    });
    // A TLS listener gets exactly what a plain one does, and the handshake on top.
    const { handshakeTimeout: _, ...plainPart } = tls;
    assert.deepEqual(plainPart, serverTimeouts(settings(requestMs)).http);
  });
}
