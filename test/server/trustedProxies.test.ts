// PULLTRACE_TRUSTED_PROXIES on a real server: behind a proxy every user is the proxy's address
// unless the proxy is trusted; then the per-address stream limit counts the address the proxy
// forwarded (the right-most X-Forwarded-For entry it did not add itself), and a client cannot
// spoof another by writing its own entry.
import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import { after, test } from 'node:test';
import { type PulltraceProcess, runPulltrace, startPulltrace, TEST_SERVER_FLAGS } from '../kit/index.js';

const servers: PulltraceProcess[] = [];
const open: IncomingMessage[] = [];
after(async () => {
  for (const res of open) res.destroy();
  await Promise.all(servers.map((s) => s.stop()));
});

async function server(flags: string[]): Promise<PulltraceProcess> {
  const s = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--max-sse-per-address', '1', ...flags]);
  servers.push(s);
  return s;
}

/** Opens a stream as a proxy forwarding `forwardedFor` would; a 200 stays open, a refusal gives its code and Retry-After. */
async function stream(s: PulltraceProcess, forwardedFor: string): Promise<{ status: number; retryAfter?: string; error?: string }> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    get(`${s.baseUrl}/api/v1/events?layers=0`, { headers: { accept: 'text/event-stream', 'x-forwarded-for': forwardedFor } }, resolve).on(
      'error',
      reject,
    );
  });
  if (res.statusCode === 200) {
    open.push(res);
    return { status: 200 };
  }
  let body = '';
  for await (const chunk of res) body += chunk;
  return { status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], error: (JSON.parse(body) as { error: string }).error };
}

test('without PULLTRACE_TRUSTED_PROXIES the header is ignored: two forwarded users are one address', async () => {
  const s = await server([]);
  assert.deepEqual(await stream(s, '203.0.113.1'), { status: 200 });
  assert.deepEqual(await stream(s, '203.0.113.2'), { status: 429, retryAfter: '10', error: 'too_many_streams' });
});

test('with the proxy trusted, each forwarded user has its own streams; a spoofed left entry changes nothing', async () => {
  const s = await server(['--trusted-proxies', '127.0.0.0/8,::1']);
  assert.deepEqual(await stream(s, '203.0.113.1'), { status: 200 });
  assert.deepEqual(await stream(s, '203.0.113.2'), { status: 200 }, 'another user behind the same proxy');
  assert.deepEqual(await stream(s, '203.0.113.1'), { status: 429, retryAfter: '10', error: 'too_many_streams' }, 'the first user again');
  assert.deepEqual(
    await stream(s, '198.51.100.9, 203.0.113.1'),
    { status: 429, retryAfter: '10', error: 'too_many_streams' },
    'the first user writing another address before the one the proxy added',
  );
});

test('a bad --trusted-proxies stops the start with its name', async () => {
  const r = await runPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--trusted-proxies', '10.0.0.0/8,ingress-nginx']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--trusted-proxies: "ingress-nginx" is not an IP address or CIDR range/);
});
