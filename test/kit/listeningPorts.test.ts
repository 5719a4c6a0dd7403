import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { listeningPorts, parseListenTable } from './listeningPorts.js';

test('parseListenTable keeps LISTEN rows with their port and inode', () => {
  const table = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:8B3F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 73444 1 0000 100 0 0 10 0',
    '   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 80000 1 0000 20 4 30 10 -1',
  ].join('\n');
  assert.deepEqual(parseListenTable(table), [{ port: 0x8b3f, inode: '73444' }]);
});

test('listeningPorts finds a port this process listens on', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  assert.ok(listeningPorts(process.pid).includes(address.port));
});
