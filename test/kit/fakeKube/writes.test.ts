// The fake API server's writes answer as kube-apiserver does: Events created, refused twice,
// patched in place; the events.k8s.io/v1 form lands in the same store; Leases with resourceVersion
// conflicts; 429 with Retry-After on demand; every other write 403.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeKubeApi } from './index.js';

interface StatusOrObject {
  reason?: string;
  metadata?: { resourceVersion?: string; labels?: Record<string, string> };
}

async function call(api: FakeKubeApi, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(api.url + path, {
    method,
    headers: { 'Content-Type': contentType },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as StatusOrObject, retryAfter: res.headers.get('retry-after') };
}

const event = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace: 'shop' },
  involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: 'shop', name: 'api-1', uid: 'u1', fieldPath: 'spec.containers{app}' },
  reason: 'PullProgress',
  message: 'first',
  type: 'Normal',
  count: 1,
  source: { component: 'pulltrace' },
});

test('Events: create, 409 AlreadyExists, merge patch in place, 404 for none; events.k8s.io/v1 in the same store', async (t) => {
  const api = await FakeKubeApi.start();
  t.after(() => api.close());
  assert.equal((await call(api, 'POST', '/api/v1/namespaces/shop/events', event('e1'))).status, 201);
  const again = await call(api, 'POST', '/api/v1/namespaces/shop/events', event('e1'));
  assert.equal(again.status, 409);
  assert.equal(again.body.reason, 'AlreadyExists');
  const patched = await call(
    api,
    'PATCH',
    '/api/v1/namespaces/shop/events/e1',
    { message: 'second', count: 2 },
    'application/merge-patch+json',
  );
  assert.equal(patched.status, 200);
  assert.equal(api.get('events', 'shop', 'e1')?.message, 'second');
  assert.equal(api.get('events', 'shop', 'e1')?.reason, 'PullProgress', 'the rest is kept');
  assert.equal((await call(api, 'PATCH', '/api/v1/namespaces/shop/events/none', { count: 2 }, 'application/merge-patch+json')).status, 404);
  const v1 = await call(api, 'POST', '/apis/events.k8s.io/v1/namespaces/shop/events', {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'e2' },
    regarding: { kind: 'Pod', namespace: 'shop', name: 'api-1' },
    note: 'from v1',
    reason: 'PullProgress',
    reportingController: 'pulltrace',
    type: 'Normal',
  });
  assert.equal(v1.status, 201);
  assert.equal(api.get('events', 'shop', 'e2')?.message, 'from v1');
  assert.deepEqual(
    api.writes.eventWrites.map((w) => [w.method, w.name, w.status]),
    [
      ['POST', 'e1', 201],
      ['POST', 'e1', 409],
      ['PATCH', 'e1', 200],
      ['PATCH', 'none', 404],
      ['POST', 'e2', 201],
    ],
  );
});

test('429 with Retry-After on demand; every other write is forbidden', async (t) => {
  const api = await FakeKubeApi.start();
  t.after(() => api.close());
  api.writes.throttleEventWrites(1, 3);
  const throttled = await call(api, 'POST', '/api/v1/namespaces/shop/events', event('e1'));
  assert.equal(throttled.status, 429);
  assert.equal(throttled.retryAfter, '3');
  assert.equal((await call(api, 'POST', '/api/v1/namespaces/shop/events', event('e1'))).status, 201);
  assert.equal((await call(api, 'POST', '/api/v1/namespaces/shop/pods', { metadata: { name: 'x' } })).status, 403);
  assert.equal((await call(api, 'DELETE', '/api/v1/namespaces/shop/events/e1')).status, 403);
});

test('Leases: create once, update only from the current resourceVersion', async (t) => {
  const api = await FakeKubeApi.start();
  t.after(() => api.close());
  const path = '/apis/coordination.k8s.io/v1/namespaces/pulltrace/leases';
  assert.equal((await call(api, 'GET', `${path}/l`)).status, 404);
  const created = await call(api, 'POST', path, { metadata: { name: 'l' }, spec: { holderIdentity: 'a' } });
  assert.equal(created.status, 201);
  assert.equal((await call(api, 'POST', path, { metadata: { name: 'l' }, spec: { holderIdentity: 'b' } })).status, 409);
  const rv = created.body.metadata?.resourceVersion;
  const updated = await call(api, 'PUT', `${path}/l`, { metadata: { name: 'l', resourceVersion: rv }, spec: { holderIdentity: 'b' } });
  assert.equal(updated.status, 200);
  const stale = await call(api, 'PUT', `${path}/l`, { metadata: { name: 'l', resourceVersion: rv }, spec: { holderIdentity: 'c' } });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.reason, 'Conflict');
  const spec = api.writes.lease('pulltrace', 'l')?.spec as { holderIdentity?: string } | undefined;
  assert.equal(spec?.holderIdentity, 'b');
});

test('Namespaces: GET answers the labels a test gave it, 404 otherwise', async (t) => {
  const api = await FakeKubeApi.start();
  t.after(() => api.close());
  api.writes.applyNamespace('shop', { 'pulltrace.io/events': 'enabled' });
  assert.equal((await call(api, 'GET', '/api/v1/namespaces/shop')).body.metadata?.labels?.['pulltrace.io/events'], 'enabled');
  assert.equal((await call(api, 'GET', '/api/v1/namespaces/other')).status, 404);
});
