import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startOnFreePort } from './freePort.js';

test('startOnFreePort: a failed start is abandoned and retried on the next port; the last error is thrown', async () => {
  const ports = [5001, 5002, 5003];
  const tried: number[] = [];
  let abandoned = 0;
  const choose = async () => ports[tried.length] as number;
  const port = await startOnFreePort(
    async (p) => {
      tried.push(p);
      if (p === 5001) throw new Error('address in use');
    },
    async () => abandoned++,
    choose,
  );
  assert.equal(port, 5002);
  assert.deepEqual(tried, [5001, 5002]);
  assert.equal(abandoned, 1);

  tried.length = 0;
  await assert.rejects(
    startOnFreePort(
      async (p) => {
        tried.push(p);
        throw new Error(`busy ${p}`);
      },
      async () => {},
      choose,
    ),
    /busy 5003/,
  );
  assert.deepEqual(tried, [5001, 5002, 5003]);
});
