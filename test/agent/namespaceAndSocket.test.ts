// Scenarios 8 and 9: the containerd namespace setting, and sockets that are not containerd.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PullStatus } from '../../src/model/index.js';
import {
  buildAndPushImage,
  getPulls,
  imageRef,
  MiB,
  runPulltrace,
  startPulltrace,
  startStack,
  TEST_SERVER_FLAGS,
  waitFor,
  waitForPull,
} from '../kit/index.js';

test('--containerd-namespace default tracks ctr pulls in that namespace, and only those', async (t) => {
  const { containerd, proxy, registry, pulltrace } = await startStack(t, { flags: ['--containerd-namespace', 'default'] });
  const inDefault = await buildAndPushImage(registry.host, { repository: 'e2e/ns-default', tag: 'v1', layers: [{ size: 4 * MiB }] });
  const inK8s = await buildAndPushImage(registry.host, { repository: 'e2e/ns-k8s', tag: 'v1', layers: [{ size: 4 * MiB }] });

  const other = await containerd.startPull(imageRef(proxy.host, inK8s), { namespace: 'k8s.io' }).done;
  assert.equal(other.code, 0, other.stderr);
  const r = await containerd.startPull(imageRef(proxy.host, inDefault), { namespace: 'default' }).done;
  assert.equal(r.code, 0, r.stderr);
  const p = await waitForPull(
    pulltrace.baseUrl,
    (x) => x.manifestDigest === inDefault.manifestDigest && x.status === 'completed',
    'the default-namespace pull',
  );
  assert.equal(p.imageRef, imageRef(proxy.host, inDefault));
  const all = await getPulls(pulltrace.baseUrl);
  assert.ok(!all.some((x) => x.manifestDigest === inK8s.manifestDigest), 'a pull in k8s.io is not in namespace default');
});

test('standalone without Kubernetes follows every namespace: a ctr pull in default and one in k8s.io show together', async (t) => {
  const { containerd, proxy, registry, pulltrace } = await startStack(t);
  const inDefault = await buildAndPushImage(registry.host, { repository: 'e2e/all-default', tag: 'v1', layers: [{ size: 4 * MiB }] });
  const inK8s = await buildAndPushImage(registry.host, { repository: 'e2e/all-k8s', tag: 'v1', layers: [{ size: 4 * MiB }] });
  // Both at once: one agent loop must carry both namespaces' pulls in the same report.
  const pulls = [
    containerd.startPull(imageRef(proxy.host, inDefault), { namespace: 'default' }),
    containerd.startPull(imageRef(proxy.host, inK8s), { namespace: 'k8s.io' }),
  ];
  for (const r of await Promise.all(pulls.map((p) => p.done))) assert.equal(r.code, 0, r.stderr);
  const completed = (m: string) => (x: PullStatus) => x.manifestDigest === m && x.status === 'completed';
  const a = await waitForPull(pulltrace.baseUrl, completed(inDefault.manifestDigest), 'the default-namespace pull');
  const b = await waitForPull(pulltrace.baseUrl, completed(inK8s.manifestDigest), 'the k8s.io pull');
  assert.equal(a.imageRef, imageRef(proxy.host, inDefault));
  assert.equal(b.imageRef, imageRef(proxy.host, inK8s));
  assert.equal(a.nodeName, b.nodeName);
  const said = pulltrace.logs().filter((l) => /following every containerd namespace/.test(String(l.msg)));
  assert.equal(said.length, 1, 'which namespaces are followed is said once');
});

test('PULLTRACE_CONTAINERD_NAMESPACE=k8s.io given explicitly: only the k8s.io pull shows', async (t) => {
  const { containerd, proxy, registry, pulltrace } = await startStack(t, { env: { PULLTRACE_CONTAINERD_NAMESPACE: 'k8s.io' } });
  const inDefault = await buildAndPushImage(registry.host, { repository: 'e2e/one-default', tag: 'v1', layers: [{ size: 4 * MiB }] });
  const inK8s = await buildAndPushImage(registry.host, { repository: 'e2e/one-k8s', tag: 'v1', layers: [{ size: 4 * MiB }] });
  const r1 = await containerd.startPull(imageRef(proxy.host, inDefault), { namespace: 'default' }).done;
  assert.equal(r1.code, 0, r1.stderr);
  const r2 = await containerd.startPull(imageRef(proxy.host, inK8s), { namespace: 'k8s.io' }).done;
  assert.equal(r2.code, 0, r2.stderr);
  // The k8s.io pull started after the default one: once it is listed, the default one would be too.
  await waitForPull(pulltrace.baseUrl, (x) => x.manifestDigest === inK8s.manifestDigest && x.status === 'completed', 'the k8s.io pull');
  const all = await getPulls(pulltrace.baseUrl);
  assert.ok(!all.some((x) => x.manifestDigest === inDefault.manifestDigest), 'a pull in default is not in namespace k8s.io');
  assert.ok(!pulltrace.logs().some((l) => /following every containerd namespace/.test(String(l.msg))));
});

async function fakeSocket(t: { after(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pt-notcontainerd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'http.sock');
  // An HTTP/1 server on a unix socket: it answers, but not as containerd.
  const srv = createServer((_req, res) => res.end('hello'));
  srv.listen(path);
  await once(srv, 'listening');
  t.after(() => srv.close());
  return path;
}

test('a socket that is not containerd is refused with a clear error (agent exits non-zero)', async (t) => {
  const socket = await fakeSocket(t);
  const r = await runPulltrace(['agent', '--server-url', 'http://127.0.0.1:1', '--containerd-socket', socket, '--node-name', 'n1']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`containerd socket ${socket.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} answered, but not as containerd`));
});

test('agent: a missing socket path is a clear error naming the setting', async () => {
  const r = await runPulltrace([
    'agent',
    '--server-url',
    'http://127.0.0.1:1',
    '--containerd-socket',
    '/nonexistent/pt.sock',
    '--node-name',
    'n1',
  ]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /^pulltrace: containerd socket \/nonexistent\/pt\.sock does not exist; set --containerd-socket/m);
  assert.doesNotMatch(r.stderr, /pulltrace: pulltrace/, 'the prefix is not repeated');
});

test('standalone: not containerd, or no socket at all — the API keeps serving and the log says why', async (t) => {
  const socket = await fakeSocket(t);
  const refused = await startPulltrace(['standalone', ...TEST_SERVER_FLAGS, '--db', ':memory:', '--containerd-socket', socket]);
  t.after(() => refused.stop());
  await waitFor(() => refused.logs().find((l) => /answered, but not as containerd/.test(String(l.msg))), {
    timeoutMs: 15_000,
    what: 'the refusal in the log',
  });
  assert.equal((await fetch(`${refused.baseUrl}/healthz`)).status, 200);

  const missing = await startPulltrace([
    'standalone',
    ...TEST_SERVER_FLAGS,
    '--db',
    ':memory:',
    '--containerd-socket',
    '/nonexistent/pt.sock',
  ]);
  t.after(() => missing.stop());
  const line = await waitFor(() => missing.logs().find((l) => /no containerd socket found/.test(String(l.msg))), {
    timeoutMs: 15_000,
    what: 'the socket search result in the log',
  });
  assert.match(String(line.msg), /tried \/nonexistent\/pt\.sock/);
  assert.match(String(line.msg), /--containerd-socket/);
  assert.equal((await fetch(`${missing.baseUrl}/api/v1/pulls`)).status, 200);
});
