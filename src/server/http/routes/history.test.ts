// GET /api/v1/history's `reason` filter through app.inject: failed pulls of the kinds asked for, and
// a clear 400 naming an unknown kind (nothing else answered).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finishedPull, T0 } from '../../../store/historyFixture.js';
import { buildApiApp } from '../apiAppFixture.js';

test('history: `reason` selects failed pulls of those kinds; an unknown kind is a 400 naming it', async (t) => {
  const api = await buildApiApp();
  t.after(() => api.close());
  api.store.enqueue(finishedPull('ok', T0));
  api.store.enqueue(finishedPull('denied', T0 + 1000, { status: 'failed', error: 'unauthorized', failureReason: 'auth' }));
  api.store.enqueue(finishedPull('limited', T0 + 2000, { status: 'failed', error: 'too many requests', failureReason: 'rate_limited' }));
  const ids = async (query: string) => {
    const res = await api.app.inject({ url: `/api/v1/history?${query}` });
    assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
    return (res.json() as { pulls: Array<{ id: string }> }).pulls.map((p) => p.id);
  };
  assert.deepEqual(await ids('reason=auth'), ['denied']);
  assert.deepEqual(await ids('reason=auth,rate_limited'), ['limited', 'denied']);
  assert.deepEqual(await ids('reason=auth&status=failed&layers=0'), ['denied']);
  assert.deepEqual(await ids('reason='), ['limited', 'denied', 'ok'], 'an empty value filters nothing, like the other filters');

  for (const [query, named] of [
    ['reason=forbidden', '"forbidden"'],
    ['reason=auth,slow', '"slow"'],
    ['reason=auth&reason=tls', 'more than once'],
  ] as const) {
    const res = await api.app.inject({ url: `/api/v1/history?${query}` });
    assert.equal(res.statusCode, 400, query);
    const body = res.json() as { error: string; message: string };
    assert.equal(body.error, 'invalid_request');
    assert.ok(body.message.includes(named), `${query}: ${body.message}`);
  }
  const listed = (await api.app.inject({ url: '/api/v1/history?reason=nope' })).json() as { message: string };
  assert.match(listed.message, /allowed, comma-separated: auth, not_found, rate_limited/);
});
