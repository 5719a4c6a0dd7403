import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubeState } from './kubeState.js';

const T0 = Date.parse('2026-11-27T10:00:00Z');

function pod(name: string, node: string | undefined, containers: Array<[string, string, string | null]>, uid = `uid-${name}`) {
  return {
    metadata: { name, namespace: 'shop', uid },
    spec: { nodeName: node, containers: containers.map(([n, image]) => ({ name: n, image })) },
    status: {
      phase: 'Pending',
      containerStatuses: containers.map(([n, image, reason]) => ({
        name: n,
        image,
        state: reason === null ? { running: {} } : { waiting: { reason } },
      })),
    },
  };
}

function event(uid: string, message: string, opts: { count?: number; at?: number; node?: string; component?: string } = {}) {
  const at = new Date(opts.at ?? T0).toISOString();
  return {
    metadata: { name: `web.${uid}`, namespace: 'shop', uid },
    involvedObject: { kind: 'Pod', namespace: 'shop', name: 'web', uid: 'uid-web', fieldPath: 'spec.containers{app}' },
    reason: 'x',
    message,
    source: { component: opts.component ?? 'kubelet', host: opts.node ?? 'n1' },
    firstTimestamp: at,
    lastTimestamp: at,
    count: opts.count ?? 1,
  };
}

test('waiting pods appear per node, match normalized refs, and leave when started or deleted', () => {
  const s = new KubeState();
  assert.deepEqual(s.setPod(pod('web', 'n1', [['app', 'nginx:1.27', 'ContainerCreating']])), ['n1']);
  assert.deepEqual(s.setPod(pod('web', 'n1', [['app', 'nginx:1.27', 'ContainerCreating']])), [], 'unchanged pod: no change reported');
  assert.deepEqual(s.setPod(pod('pending', undefined, [['app', 'nginx:1.27', 'ContainerCreating']])), [], 'unscheduled: ignored');
  s.setPod(pod('reg', 'n1', [['app', '127.0.0.1:5000/pulltrace/big:v1', 'ContainerCreating']]));
  s.setPod(pod('other', 'n2', [['app', 'nginx:1.27', 'ErrImagePull']]));

  const names = (ws: Array<{ podName: string }>) => ws.map((w) => w.podName).sort();
  assert.deepEqual(names(s.waitingFor('n1', 'docker.io/library/nginx:1.27')), ['web']);
  assert.deepEqual(names(s.waitingFor('n1', 'docker.io/library/nginx')), ['web'], 'repository-only ref matches any tag');
  assert.deepEqual(names(s.waitingFor('n1', 'nginx:1.28')), []);
  assert.deepEqual(names(s.waitingFor('n1', '127.0.0.1/pulltrace/big')), ['reg'], 'port-less distribution-source form');
  assert.deepEqual(names(s.waitingFor('n2', 'nginx:1.27')), ['other']);
  assert.deepEqual(names(s.waitingOn('n1')), ['reg', 'web']);
  const web = s.waitingFor('n1', 'nginx:1.27')[0];
  assert.equal(web?.normalizedImage, 'docker.io/library/nginx:1.27');
  assert.equal(web?.image, 'nginx:1.27');

  assert.deepEqual(s.setPod(pod('web', 'n1', [['app', 'nginx:1.27', null]])), ['n1'], 'started: leaves');
  assert.deepEqual(names(s.waitingOn('n1')), ['reg']);
  assert.deepEqual(s.removePod(pod('reg', 'n1', [])), ['n1']);
  assert.deepEqual(s.removePod(pod('reg', 'n1', [])), []);
  assert.deepEqual(s.waitingOn('n1'), []);
  assert.equal(s.sizes().pods, 1);
});

test('a kubelet event is passed on once; a count++ repeat once more; replays never', () => {
  const s = new KubeState();
  const now = T0 + 1000;
  const first = s.acceptEvent(event('e1', 'Pulling image "nginx:1.27"'), false, now);
  assert.equal(first?.kind, 'pulling');
  assert.equal(first?.normalizedImage, 'docker.io/library/nginx:1.27');
  assert.equal(first?.backlog, false);
  assert.equal(s.acceptEvent(event('e1', 'Pulling image "nginx:1.27"'), false, now), undefined, 'relist replay');
  const repeat = s.acceptEvent(event('e1', 'Pulling image "nginx:1.27"', { count: 2 }), false, now);
  assert.equal(repeat?.count, 2);
  assert.equal(s.acceptEvent(event('e1', 'Pulling image "nginx:1.27"', { count: 2 }), false, now), undefined);
  assert.equal(s.acceptEvent(event('e2', 'Started container app'), false, now), undefined, 'not an image event');
  assert.equal(s.acceptEvent(event('e3', 'Pulling image "x"', { component: 'default-scheduler' }), false, now), undefined);
  assert.equal(s.acceptEvent(event('e4', 'Error: ErrImagePull'), true, now)?.backlog, true);
});

test('events older than the retention window are ignored and pruned', () => {
  const s = new KubeState({ retentionMs: 60_000, maxEvents: 100, maxPullingPerNode: 10 });
  assert.equal(s.acceptEvent(event('old', 'Pulling image "nginx"', { at: T0 }), false, T0 + 61_000), undefined);
  assert.ok(s.acceptEvent(event('new', 'Pulling image "nginx"', { at: T0 + 30_000 }), false, T0 + 61_000));
  assert.deepEqual(s.sizes(), { pods: 0, events: 1, pullingRefs: 1 });
  s.prune(T0 + 100_000);
  assert.deepEqual(s.sizes(), { pods: 0, events: 0, pullingRefs: 0 });
  assert.equal(s.exactRefFor('n1', 'nginx'), undefined);
});

test('event memory and Pulling references are capped', () => {
  const s = new KubeState({ retentionMs: 3_600_000, maxEvents: 50, maxPullingPerNode: 5 });
  for (let i = 0; i < 200; i++) s.acceptEvent(event(`e${i}`, `Pulling image "app${i}:v1"`, { at: T0 + i }), false, T0 + 1000);
  assert.deepEqual(s.sizes(), { pods: 0, events: 50, pullingRefs: 5 });
  assert.equal(s.exactRefFor('n1', 'docker.io/library/app199'), 'app199:v1');
  assert.equal(s.exactRefFor('n1', 'docker.io/library/app0'), undefined);
});

test('exactRefFor gives the newest matching Pulling reference on that node, as written', () => {
  const s = new KubeState();
  const now = T0 + 10_000;
  s.acceptEvent(event('a', 'Pulling image "nginx:1.26"', { at: T0 }), false, now);
  s.acceptEvent(event('b', 'Pulling image "nginx:1.27"', { at: T0 + 1000 }), false, now);
  s.acceptEvent(event('c', 'Pulling image "127.0.0.1:5000/pulltrace/big:v1"', { at: T0 + 2000 }), false, now);
  s.acceptEvent(event('d', 'Pulling image "nginx:9"', { at: T0 + 3000, node: 'n2' }), false, now);
  assert.equal(s.exactRefFor('n1', 'docker.io/library/nginx'), 'nginx:1.27');
  assert.equal(s.exactRefFor('n1', 'docker.io/library/nginx:1.26'), 'nginx:1.26');
  assert.equal(s.exactRefFor('n1', '127.0.0.1/pulltrace/big'), '127.0.0.1:5000/pulltrace/big:v1');
  assert.equal(s.exactRefFor('n1', `docker.io/library/nginx@sha256:${'a'.repeat(64)}`), 'nginx:1.27');
  assert.equal(s.exactRefFor('n2', 'nginx'), 'nginx:9', 'an untagged query names the repository: any tag');
  assert.equal(s.exactRefFor('n2', 'nginx:1.27'), undefined, 'other node, other tag');
  assert.equal(s.exactRefFor('n3', 'nginx'), undefined);
});
