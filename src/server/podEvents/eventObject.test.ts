import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coreV1Event, coreV1Patch, eventName, eventsV1Event, fieldPath, type PodContainerRef } from './eventObject.js';

const ref: PodContainerRef = { namespace: 'shop', podName: 'api-1', podUid: 'u-1', container: 'app', init: false, image: 'api:1' };
const content = {
  message: 'Pulling image "api:1": 25% of 1.20 GB',
  type: 'Normal' as const,
  count: 2,
  firstAt: new Date('2026-12-07T10:00:00.500Z'),
  lastAt: new Date('2026-12-07T10:00:30.250Z'),
  instance: 'server-0',
};

test('one name per pod, container and image, the same on every writer; another container or pod uid gets another', () => {
  assert.equal(eventName(ref), eventName({ ...ref }));
  assert.match(eventName(ref), /^api-1\.pulltrace-[0-9a-f]{10}$/);
  assert.notEqual(eventName(ref), eventName({ ...ref, container: 'side' }));
  assert.notEqual(eventName(ref), eventName({ ...ref, image: 'api:2' }));
  assert.notEqual(eventName(ref), eventName({ ...ref, podUid: 'u-2' }));
  const long = eventName({ ...ref, podName: 'p'.repeat(253) });
  assert.equal(long.length, 253);
});

test('fieldPath: spec.containers{NAME} or spec.initContainers{NAME}', () => {
  assert.equal(fieldPath(ref), 'spec.containers{app}');
  assert.equal(fieldPath({ ...ref, init: true }), 'spec.initContainers{app}');
});

test('core/v1: kubelet-shaped, reason PullProgress, reporting component pulltrace', () => {
  const e = coreV1Event(ref, content);
  assert.deepEqual(e.involvedObject, {
    kind: 'Pod',
    apiVersion: 'v1',
    namespace: 'shop',
    name: 'api-1',
    uid: 'u-1',
    fieldPath: 'spec.containers{app}',
  });
  assert.equal(e.reason, 'PullProgress');
  assert.deepEqual(e.source, { component: 'pulltrace' });
  assert.equal(e.reportingComponent, 'pulltrace');
  assert.equal(e.reportingInstance, 'server-0');
  assert.equal(e.firstTimestamp, '2026-12-07T10:00:00Z');
  assert.equal(e.lastTimestamp, '2026-12-07T10:00:30Z');
  assert.deepEqual(coreV1Patch(content), { message: content.message, type: 'Normal', count: 2, lastTimestamp: '2026-12-07T10:00:30Z' });
});

test('events.k8s.io/v1: regarding, note, action, microsecond eventTime and a series after the first', () => {
  const e = eventsV1Event(ref, content);
  assert.equal(e.apiVersion, 'events.k8s.io/v1');
  assert.equal(e.note, content.message);
  assert.equal(e.eventTime, '2026-12-07T10:00:00.500000Z');
  assert.equal(e.reportingController, 'pulltrace');
  assert.equal(e.action, 'Pulling');
  assert.deepEqual(e.series, { count: 2, lastObservedTime: '2026-12-07T10:00:30.250000Z' });
  assert.equal(eventsV1Event(ref, { ...content, count: 1 }).series, undefined);
});
