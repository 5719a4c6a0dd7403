// DNS rebinding guard on a real server bound to 127.0.0.1: a request naming another host (as a
// browser does for a page whose name was rebound to 127.0.0.1) gets 421 and changes nothing;
// localhost, 127.0.0.1, [::1] and PULLTRACE_ALLOWED_HOSTS are answered.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type PulltraceProcess, startPulltrace, TEST_SERVER_FLAGS } from '../kit/index.js';

let server: PulltraceProcess;
before(async () => {
  server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--allowed-hosts', 'my-laptop,pulltrace.internal']);
});
after(async () => server?.stop());

/** A request with the given Host header (fetch does not let a test set it). */
async function withHost(
  host: string,
  method = 'GET',
  path = '/api/v1/pulls',
  body?: string,
  baseUrl = server.baseUrl,
): Promise<{ status: number; body: string }> {
  return await new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { method, headers: { host, 'content-type': 'application/json' } }, async (res) => {
      let text = '';
      for await (const chunk of res) text += chunk;
      resolve({ status: res.statusCode ?? 0, body: text });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const port = () => new URL(server.baseUrl).port;

test('a foreign Host is a 421 for reads, the UI and reports; the report changes nothing', async () => {
  for (const host of ['rebound.example', `rebound.example:${port()}`, `localhost.rebound.example:${port()}`]) {
    for (const path of ['/api/v1/pulls', '/', '/api/v1/history']) {
      const res = await withHost(host, 'GET', path);
      assert.equal(res.status, 421, `${host} ${path}`);
      assert.equal((JSON.parse(res.body) as { error: string }).error, 'host_not_allowed');
    }
    const report = JSON.stringify({ nodeName: 'rebound', pulls: [] });
    assert.equal((await withHost(host, 'POST', '/api/v1/report', report)).status, 421);
  }
  const pulls = JSON.parse((await withHost('localhost')).body) as { pulls: unknown[] };
  assert.deepEqual(pulls.pulls, []);
});

test('localhost, 127.0.0.1, [::1] and the allowed names are answered, with any port', async () => {
  for (const host of [
    'localhost',
    `localhost:${port()}`,
    `127.0.0.1:${port()}`,
    `[::1]:${port()}`,
    '[::1]',
    'my-laptop',
    `Pulltrace.Internal:${port()}`,
  ]) {
    assert.equal((await withHost(host)).status, 200, host);
  }
});

test('standalone (loopback by default, no login) refuses a rebound name and answers 127.0.0.1', async (t) => {
  // No containerd here: standalone keeps serving the UI and the API meanwhile, which is what is checked.
  const dir = mkdtempSync(join(tmpdir(), 'pulltrace-rebinding-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const standalone = await startPulltrace([
    'standalone',
    ...TEST_SERVER_FLAGS,
    '--db',
    ':memory:',
    '--containerd-socket',
    join(dir, 'containerd.sock'),
  ]);
  t.after(() => standalone.stop());
  const port = new URL(standalone.baseUrl).port;
  assert.equal((await withHost(`rebound.example:${port}`, 'GET', '/api/v1/pulls', undefined, standalone.baseUrl)).status, 421);
  const report = JSON.stringify({ nodeName: 'rebound', pulls: [] });
  assert.equal((await withHost(`rebound.example:${port}`, 'POST', '/api/v1/report', report, standalone.baseUrl)).status, 421);
  assert.equal((await withHost(`127.0.0.1:${port}`, 'GET', '/api/v1/pulls', undefined, standalone.baseUrl)).status, 200);
});
