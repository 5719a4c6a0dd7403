import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testPull } from '../server/podEvents/testPull.js';
import { describePodText, parseDescribeArgs } from './describePod.js';

test('describe arguments: pod/NAME or pod NAME, -n / --namespace, the plugin’s own flags', () => {
  assert.deepEqual(parseDescribeArgs(['pod/api-1', '-n', 'shop']), { pod: 'api-1', namespace: 'shop', extra: {} });
  assert.deepEqual(parseDescribeArgs(['pod', 'api-1', '--namespace=shop', '--service', 'pt']), {
    pod: 'api-1',
    namespace: 'shop',
    extra: { service: 'pt' },
  });
  assert.deepEqual(parseDescribeArgs(['po/api-1']), { pod: 'api-1', extra: {} });
  assert.throws(() => parseDescribeArgs(['deploy/api']), /usage: kubectl pulltrace describe pod\/NAME/);
  assert.throws(() => parseDescribeArgs(['pod/api-1', '-n']), /-n needs a value/);
  assert.throws(() => parseDescribeArgs(['pod/api-1', '--all']), /unknown flag --all/);
});

test('the pod’s pulls: the Event text and the phase breakdown; other pods left out', () => {
  const running = testPull({ percent: 45, layersDone: 2, waitSeconds: 3 });
  const done = testPull({
    id: 'p2',
    status: 'completed',
    percent: 100,
    unpackStartedAt: '2026-12-07T10:00:45.000Z',
    completedAt: '2026-12-07T10:00:52.000Z',
    waitSeconds: 20,
    pods: [{ namespace: 'shop', podName: 'api-1', container: 'init', image: 'busybox:1' }],
  });
  const other = testPull({ id: 'p3', pods: [{ namespace: 'shop', podName: 'api-10', container: 'app', image: 'x:1' }] });
  const text = describePodText([running, done, other], 'shop', 'api-1', Date.parse('2026-12-07T10:00:10.000Z'));
  assert.equal(
    text,
    [
      'Pod shop/api-1:',
      '  app: Pulling image "registry.example/shop/api:1.2": 45% of 1.20 GB at 30.0 MB/s, about 40s left (layer 3 of 7)',
      '    node node-a, pulling; phases: queued 3s, downloading 10s',
      '  init: Pulled image "busybox:1": 1.20 GB in 1m12s (queued 20s, downloading 45s, unpacking 7s)',
      '    node node-a, completed; phases: queued 20s, downloading 45s, unpacking 7s',
      '',
    ].join('\n'),
  );
  assert.match(describePodText([other], 'shop', 'api-1', 0), /^Pod shop\/api-1: no image pull known to the server/);
});
