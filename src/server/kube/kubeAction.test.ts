import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trackerFixture } from '../tracker/trackerFixture.js';
import { applyKubeAction, type KubeAction, parseKubeAction } from './kubeAction.js';

function setup(caps: { maxNodes?: number; maxPulls?: number; maxPullsPerNode?: number } = {}) {
  return trackerFixture({ maxNodes: 10, maxPulls: 10, cluster: 'c1', ...caps });
}

test('createFailed: a failed pull named alike on every replica; a second creation before the first is seen changes nothing', () => {
  const created: string[] = [];
  for (let replica = 0; replica < 2; replica++) {
    const { tracker, events } = setup();
    const a: KubeAction = { kind: 'createFailed', nodeName: 'n1', imageRef: 'reg/app:nope', message: 'not found', rank: 3, cause: 'uid#1' };
    const id = applyKubeAction(tracker, a, 1_000_000);
    assert.ok(id);
    created.push(id);
    assert.deepEqual(
      events.map((e) => e.type),
      ['pull.started', 'pull.failed'],
    );
    assert.equal(applyKubeAction(tracker, { ...a, message: 'Error: ErrImagePull', cause: 'uid2#1' }, 1_000_500), id);
    assert.equal(events.length, 2, 'no second pull');
    assert.equal(tracker.status(id, 1_000_500)?.error, 'not found');
  }
  assert.equal(created[0], created[1], 'the same id from the same action at the same log time');
});

test('createFailed obeys every capacity cap: refused (undefined, nothing changed) beyond maxNodes, maxPulls and maxPullsPerNode', () => {
  const create = (nodeName: string, imageRef: string): KubeAction => ({
    kind: 'createFailed',
    nodeName,
    imageRef,
    message: 'not found',
    rank: 3,
  });
  const cases: Array<{ caps: Parameters<typeof setup>[0]; fill: KubeAction[]; refused: KubeAction; cap: string }> = [
    { caps: { maxNodes: 2 }, fill: [create('n1', 'a:1'), create('n2', 'a:1')], refused: create('n3', 'a:1'), cap: 'maxNodes' },
    { caps: { maxPulls: 2 }, fill: [create('n1', 'a:1'), create('n1', 'b:1')], refused: create('n2', 'c:1'), cap: 'maxPulls' },
    {
      caps: { maxPullsPerNode: 2 },
      fill: [create('n1', 'a:1'), create('n1', 'b:1')],
      refused: create('n1', 'c:1'),
      cap: 'maxPullsPerNode',
    },
  ];
  for (const { caps, fill, refused, cap } of cases) {
    const { tracker, events } = setup(caps);
    // finished pulls make room, so for the per-node cap the node's agent then reports two unfinished ones
    for (const a of fill) assert.ok(applyKubeAction(tracker, a, 1_000), `${cap}: room for ${JSON.stringify(a)}`);
    if (cap === 'maxPullsPerNode')
      tracker.applyReport(
        { nodeName: 'n1', pulls: ['a:1', 'b:1'].map((imageRef) => ({ imageRef, manifestDigest: `sha256:${imageRef}`, layers: [] })) },
        1_500,
      );
    const before = { events: events.length, counts: tracker.counts() };
    assert.equal(applyKubeAction(tracker, refused, 2_000), undefined, `${cap}: refused`);
    assert.equal(events.length, before.events, `${cap}: no event`);
    assert.deepEqual(tracker.counts(), before.counts, `${cap}: nothing changed`);
  }
});

test('createFailed makes room by dropping the node’s own finished pulls, like a report', () => {
  const { tracker } = setup({ maxPullsPerNode: 2 });
  const create = (imageRef: string): KubeAction => ({ kind: 'createFailed', nodeName: 'n1', imageRef, message: 'not found', rank: 3 });
  applyKubeAction(tracker, create('a:1'), 1_000);
  applyKubeAction(tracker, create('b:1'), 1_100);
  assert.ok(applyKubeAction(tracker, create('c:1'), 1_200), 'the oldest failed pull leaves the live view');
  assert.deepEqual(
    tracker
      .list({}, 1_200, false)
      .map((p) => p.imageRef)
      .sort(),
    ['b:1', 'c:1'],
  );
});

test('fail, refine, complete and annotate act on the named pull', () => {
  const { tracker, events } = setup();
  const report = (status?: 'completed') => ({
    nodeName: 'n1',
    pulls: [
      { imageRef: 'reg/app:1', manifestDigest: 'sha256:m', startedAt: '2026-01-01T00:00:00Z', layers: [], ...(status ? { status } : {}) },
    ],
  });
  tracker.applyReport(report(), Date.parse('2026-01-01T00:00:01Z'));
  const id = tracker.list({}, 0, false)[0]?.id as string;
  applyKubeAction(tracker, { kind: 'annotate', pullId: id, pullSeconds: 3, imageBytes: 100 }, Date.parse('2026-01-01T00:00:02Z'));
  assert.equal(tracker.status(id, 0)?.kubeletPullSeconds, 3);
  applyKubeAction(tracker, { kind: 'complete', pullId: id, pullSeconds: 4 }, Date.parse('2026-01-01T00:00:03Z'));
  assert.equal(tracker.status(id, 0)?.status, 'completed');
  assert.ok(events.some((e) => e.type === 'pull.completed'));
  // A pull of another image, failed then refined.
  tracker.applyReport(
    { nodeName: 'n2', pulls: [{ imageRef: 'reg/b:1', manifestDigest: 'sha256:b', startedAt: '2026-01-01T00:00:00Z', layers: [] }] },
    Date.parse('2026-01-01T00:00:04Z'),
  );
  const b = tracker.list({ node: 'n2' }, 0, false)[0]?.id as string;
  applyKubeAction(tracker, { kind: 'fail', pullId: b, message: 'Error: ErrImagePull' }, Date.parse('2026-01-01T00:00:05Z'));
  applyKubeAction(tracker, { kind: 'refine', pullId: b, message: 'manifest unknown' }, Date.parse('2026-01-01T00:00:06Z'));
  assert.equal(tracker.status(b, 0)?.status, 'failed');
  assert.equal(tracker.status(b, 0)?.error, 'manifest unknown');
});

test('parseKubeAction: what the log holds is checked field by field', () => {
  const good: KubeAction[] = [
    { kind: 'fail', pullId: 'p', message: 'm', cause: 'u#1' },
    { kind: 'refine', pullId: 'p', message: 'm' },
    { kind: 'createFailed', nodeName: 'n', imageRef: 'i', message: 'm', rank: 2 },
    { kind: 'complete', pullId: 'p', pullSeconds: 1.5, imageBytes: 10 },
    { kind: 'annotate', pullId: 'p', withWaitingSeconds: 2 },
  ];
  for (const a of good) assert.deepEqual(parseKubeAction(JSON.stringify(a)), a, a.kind);
  const bad = [
    'not json',
    'null',
    '[]',
    '{"kind":"explode","pullId":"p"}',
    '{"kind":"fail","pullId":"","message":"m"}',
    '{"kind":"fail","pullId":"p"}',
    '{"kind":"createFailed","nodeName":"n","imageRef":"i","message":"m"}',
    '{"kind":"complete","pullId":"p","pullSeconds":-1}',
    '{"kind":"annotate","pullId":"p","imageBytes":"10"}',
    '{"kind":"fail","pullId":"p","message":"m","cause":7}',
    JSON.stringify({ kind: 'fail', pullId: 'p', message: 'x'.repeat(5000) }),
    // a node no report could name, an image reference or cause past the report limits, odd ranks and figures
    '{"kind":"createFailed","nodeName":"Not A Node","imageRef":"i","message":"m","rank":1}',
    JSON.stringify({ kind: 'createFailed', nodeName: 'n', imageRef: 'i'.repeat(1025), message: 'm', rank: 1 }),
    '{"kind":"createFailed","nodeName":"n","imageRef":"i","message":"m","rank":-1}',
    '{"kind":"createFailed","nodeName":"n","imageRef":"i","message":"m","rank":"3"}',
    '{"kind":"createFailed","nodeName":"n","imageRef":["i"],"message":"m","rank":1}',
    JSON.stringify({ kind: 'fail', pullId: 'p', message: 'm', cause: 'c'.repeat(300) }),
    JSON.stringify({ kind: 'fail', pullId: 'p'.repeat(300), message: 'm' }),
    '{"kind":"complete","pullId":"p","imageBytes":1e300}',
  ];
  for (const text of bad) assert.equal(parseKubeAction(text), undefined, text.slice(0, 60));
});
