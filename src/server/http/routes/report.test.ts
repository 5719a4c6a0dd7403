// Reports may not carry control characters in names and times (they are shown in terminals and
// text logs); free text (`error`, `mediaType`) may, and every text output makes it printable.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildApiApp } from '../apiAppFixture.js';

const json = { 'content-type': 'application/json' };
const pull = (extra: Record<string, unknown> = {}, layer: Record<string, unknown> = {}) => ({
  imageRef: 'registry.example.com/app:1',
  manifestDigest: 'sha256:m1',
  status: 'pulling',
  layers: [{ digest: 'sha256:l1', totalBytes: 100, downloadedBytes: 10, ...layer }],
  ...extra,
});

let api: Awaited<ReturnType<typeof buildApiApp>>;
before(async () => {
  api = await buildApiApp();
});
after(() => api.close());

test('a control character in a name or time of a report is a 400 naming the field; nothing changes', async () => {
  const before = api.tracker.counts().pulls;
  for (const [what, report, field] of [
    ['ESC in imageRef', { nodeName: 'w1', pulls: [pull({ imageRef: 'evil.example/app\x1b]2;owned\x07:1' })] }, 'pulls[0].imageRef'],
    ['BEL in manifestDigest', { nodeName: 'w1', pulls: [pull({ manifestDigest: 'sha256:\x07' })] }, 'pulls[0].manifestDigest'],
    ['C1 CSI in a layer digest', { nodeName: 'w1', pulls: [pull({}, { digest: 'sha256:\x9b2J' })] }, 'pulls[0].layers[0].digest'],
    ['newline in startedAt', { nodeName: 'w1', pulls: [pull({ startedAt: '2026-01-01T00:00:00Z\n' })] }, 'pulls[0].startedAt'],
    ['DEL in the agent version', { nodeName: 'w1', agent: { version: '1.0\x7f' }, pulls: [] }, 'agent.version'],
  ] as Array<[string, unknown, string]>) {
    const res = await api.app.inject({ method: 'POST', url: '/api/v1/report', headers: json, payload: JSON.stringify(report) });
    assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
    const body = res.json() as { error: string; message: string };
    assert.equal(body.error, 'invalid_report', what);
    assert.equal(body.message, `${field} must not contain control characters (U+0000–U+001F, U+007F–U+009F)`, what);
  }
  assert.equal(api.tracker.counts().pulls, before, 'no refused report changed the pulls');
});

test('an error text or media type with control characters is accepted as it is (free text, made printable where shown)', async () => {
  const error = 'failed to copy: unexpected status\r\n\x1b[31mfrom the registry';
  const res = await api.app.inject({
    method: 'POST',
    url: '/api/v1/report',
    headers: json,
    payload: JSON.stringify({
      nodeName: 'w-free-text',
      pulls: [pull({ status: 'failed', error }, { mediaType: 'application/vnd.x\x1b' })],
    }),
  });
  assert.equal(res.statusCode, 200, res.body);
  const pulls = (await api.app.inject({ url: '/api/v1/pulls?node=w-free-text' })).json() as { pulls: Array<{ error?: string }> };
  assert.equal(pulls.pulls[0]?.error, error, 'the API serves it exactly, as escaped JSON');
});
