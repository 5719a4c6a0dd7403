import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullStatus } from '../model/index.js';
import { matchesFilter } from './pullFilter.js';

const pull = {
  nodeName: 'worker-1',
  imageRef: 'docker.io/library/nginx:1.27',
  status: 'pulling',
  pods: [{ namespace: 'shop', podName: 'web-7d9', container: 'nginx', image: 'nginx:1.27' }],
} as PullStatus;

const cases: Array<[string, Parameters<typeof matchesFilter>[1], boolean]> = [
  ['empty filter', {}, true],
  ['node substring', { node: 'WORKER' }, true],
  ['other node', { node: 'worker-2' }, false],
  ['image substring', { image: 'nginx' }, true],
  ['image mismatch', { image: 'redis' }, false],
  ['status exact', { status: ['pulling'] }, true],
  ['status one of several', { status: ['stalled', 'pulling'] }, true],
  ['status mismatch', { status: ['failed'] }, false],
  ['status empty set matches nothing', { status: [] }, false],
  ['namespace', { namespace: 'sho' }, true],
  ['namespace mismatch', { namespace: 'kube-system' }, false],
  ['pod', { pod: 'web' }, true],
  ['pod mismatch', { pod: 'db' }, false],
  ['all together', { node: 'worker', image: 'nginx', namespace: 'shop', pod: 'web', status: ['pulling'] }, true],
];
for (const [name, filter, want] of cases) test(`filter: ${name}`, () => assert.equal(matchesFilter(pull, filter), want));

test('namespace filter never matches a pull without pods', () => {
  assert.equal(matchesFilter({ ...pull, pods: [] }, { namespace: 'shop' }), false);
});

test('a malformed pull (from an old database or a hostile log) matches no needle and never throws', () => {
  const malformed = [
    { ...pull, imageRef: 12345 },
    { ...pull, nodeName: null },
    { ...pull, imageRef: { toLowerCase: 'no' } },
    { ...pull, pods: undefined },
    { ...pull, pods: 'web' },
    { ...pull, pods: [null, { namespace: 7, podName: ['web'] }] },
  ] as unknown as PullStatus[];
  const filters = [{ image: 'x' }, { node: 'w' }, { namespace: 'shop' }, { pod: 'web' }];
  for (const p of malformed) {
    for (const f of filters) assert.doesNotThrow(() => matchesFilter(p, f), `${JSON.stringify(p)} ${JSON.stringify(f)}`);
  }
  assert.equal(matchesFilter({ ...pull, imageRef: 12345 } as unknown as PullStatus, { image: '123' }), false);
  assert.equal(matchesFilter({ ...pull, imageRef: 12345 } as unknown as PullStatus, { node: 'worker' }), true, 'other filters still apply');
});
