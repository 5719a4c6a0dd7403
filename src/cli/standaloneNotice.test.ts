import assert from 'node:assert/strict';
import { test } from 'node:test';
import { standaloneNotice } from './standaloneNotice.js';

test('loopback default: says where and how to open it up', () => {
  assert.equal(
    standaloneNotice({ host: '127.0.0.1', port: 8080 }, 8080, { host: '127.0.0.1', port: 9090 }, 9090),
    'web UI and API at http://127.0.0.1:8080/, metrics at http://127.0.0.1:9090/metrics; reachable from this machine only ' +
      '(to serve other machines: --http-addr :8080 --metrics-addr :9090, or PULLTRACE_HTTP_ADDR / PULLTRACE_METRICS_ADDR; ' +
      'there is no login, see docs/security.md)',
  );
});

test('port 0 shows the bound port; IPv6 loopback is bracketed', () => {
  assert.match(
    standaloneNotice({ host: '::1', port: 0 }, 41234, { host: '::1', port: 0 }, 41235),
    /^web UI and API at http:\/\/\[::1\]:41234\/, metrics at http:\/\/\[::1\]:41235\/metrics; reachable from this machine only/,
  );
});

test('every interface: a warning instead of the hint', () => {
  const text = standaloneNotice({ host: '', port: 8080 }, 8080, { host: '127.0.0.1', port: 9090 }, 9090);
  assert.match(text, /^web UI and API at http:\/\/127\.0\.0\.1:8080\/, .*listening beyond this machine/);
});
