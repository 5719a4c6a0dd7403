import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullStatus } from '../../model/index.js';
import { pullsJson, SLICE_MS } from './pullsJson.js';

const pull = (id: string, status: PullStatus['status'] = 'pulling') => ({ id, status }) as PullStatus;

async function collect(gen: AsyncGenerator<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of gen) out.push(chunk);
  return out;
}

test('the body is the v1 shape without a page, and carries next with one', async () => {
  const pulls = new Map([
    ['a', pull('a')],
    ['b', pull('b')],
  ]);
  const source = { ids: ['a', 'b'], status: (id: string) => pulls.get(id), matches: () => true };
  assert.deepEqual(JSON.parse((await collect(pullsJson(source))).join('')), { pulls: [pull('a'), pull('b')] });
  assert.deepEqual(JSON.parse((await collect(pullsJson({ ...source, next: 'c1' }))).join('')), {
    pulls: [pull('a'), pull('b')],
    next: 'c1',
  });
  assert.deepEqual(JSON.parse((await collect(pullsJson({ ...source, ids: [], next: null }))).join('')), { pulls: [], next: null });
});

test('a pull that left, or no longer matches, by the time its slice is built is left out', async () => {
  const pulls = new Map([
    ['a', pull('a')],
    ['c', pull('c', 'completed')],
  ]);
  const source = { ids: ['a', 'gone', 'c'], status: (id: string) => pulls.get(id), matches: (p: PullStatus) => p.status === 'pulling' };
  assert.deepEqual(JSON.parse((await collect(pullsJson(source))).join('')), { pulls: [pull('a')] });
});

test('a slice ends once it has taken SLICE_MS, and the event loop turns before the next', async () => {
  // A clock that advances SLICE_MS per reading: every pull ends its slice.
  let now = 0;
  const clock = () => (now += SLICE_MS);
  const ids = ['a', 'b', 'c'];
  const log: string[] = [];
  const gen = pullsJson({ ids, status: (id) => pull(id), matches: () => true }, clock);
  const chunks: string[] = [];
  for await (const chunk of gen) {
    chunks.push(chunk);
    log.push(`slice ${chunks.length}`);
    setImmediate(() => log.push('loop turned'));
  }
  assert.deepEqual(JSON.parse(chunks.join('')), { pulls: ids.map((id) => pull(id)) });
  assert.deepEqual(log, ['slice 1', 'loop turned', 'slice 2', 'loop turned', 'slice 3', 'loop turned', 'slice 4']);
});
