import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SocketState } from './containerd/connect.js';
import { chooseSocket, DEFAULT_CONTAINERD_SOCKET, findContainerdSocket, noSocketMessage } from './standaloneSocket.js';

const only =
  (...sockets: string[]) =>
  (p: string): SocketState =>
    sockets.includes(p) ? 'socket' : 'missing';

const cases: Array<[string, string, (p: string) => SocketState, string | undefined, number]> = [
  ['default present', DEFAULT_CONTAINERD_SOCKET, only(DEFAULT_CONTAINERD_SOCKET), DEFAULT_CONTAINERD_SOCKET, 1],
  [
    'k3s found when the default is missing',
    DEFAULT_CONTAINERD_SOCKET,
    only('/run/k3s/containerd/containerd.sock'),
    '/run/k3s/containerd/containerd.sock',
    2,
  ],
  ['nothing anywhere: every known path tried', DEFAULT_CONTAINERD_SOCKET, only(), undefined, 6],
  ['an explicit path is the only one tried', '/x/c.sock', only(DEFAULT_CONTAINERD_SOCKET), undefined, 1],
  ['an explicit path that exists', '/x/c.sock', only('/x/c.sock'), '/x/c.sock', 1],
];
for (const [name, configured, state, found, triedCount] of cases) {
  test(`chooseSocket: ${name}`, () => {
    const r = chooseSocket(configured, state);
    assert.equal(r.found, found);
    assert.equal(r.tried.length, triedCount);
  });
}

test('the message names every path tried and how to set one', () => {
  const msg = noSocketMessage({ tried: ['/a.sock', '/b.sock'] });
  assert.match(msg, /tried \/a\.sock, \/b\.sock/);
  assert.match(msg, /--containerd-socket/);
  assert.match(msg, /\/run\/k3s\/containerd\/containerd\.sock/);
});

test('findContainerdSocket accepts a real socket and skips a regular file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pt-sock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const sock = join(dir, 'c.sock');
  const srv = createServer().listen(sock);
  t.after(() => srv.close());
  await new Promise((r) => srv.once('listening', r));
  assert.deepEqual(await findContainerdSocket(sock), { found: sock, tried: [sock] });
  const file = join(dir, 'file');
  await writeFile(file, 'x');
  assert.deepEqual(await findContainerdSocket(file), { tried: [file] });
});
