// Scenarios 5 and 5b: a frozen link (stall, then the same pull resumes) and a cut link (the pull
// fails with a reason, is never shown completed, and the agent goes on tracking new pulls).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAndPushImage, getPulls, idsOf, imageRef, MiB, PullsRecorder, SseRecorder, startStack, waitForPull } from '../kit/index.js';

test('link frozen mid-pull: stalled after the stall timeout; unfrozen, the same pull resumes and completes', async (t) => {
  const { containerd, proxy, registry, pulltrace } = await startStack(t, { flags: ['--stall-timeout', '2s'] });
  const image = await buildAndPushImage(registry.host, {
    repository: 'e2e/frozen',
    tag: 'v1',
    layers: [{ size: 4 * MiB }, { size: 4 * MiB }],
  });
  const sse = await SseRecorder.connect(`${pulltrace.baseUrl}/api/v1/events`);
  t.after(() => sse.close());
  const seen = new PullsRecorder(pulltrace.baseUrl);
  t.after(() => seen.stop());

  const pull = containerd.startPull(imageRef(proxy.host, image));
  const moving = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.manifestDigest === image.manifestDigest && p.downloadedBytes >= 2 * MiB,
    '2 MiB downloaded',
  );
  proxy.freeze();
  const stalled = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.id === moving.id && p.status === 'stalled',
    'the pull to be shown stalled',
    20_000,
  );
  assert.ok(stalled.downloadedBytes < stalled.totalBytes);
  proxy.unfreeze();
  const done = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.id === moving.id && p.status === 'completed',
    'the same pull to complete',
    30_000,
  );
  const r = await pull.done;
  assert.equal(r.code, 0, r.stderr);
  seen.stop();

  assert.equal(done.downloadedBytes, done.totalBytes);
  assert.deepEqual(idsOf(seen.of(image.manifestDigest)), [moving.id], 'one pull from start to end, across the stall');
  await sse.waitForEvent((e) => e.type === 'pull.completed' && e.pull?.id === moving.id, 'pull.completed on SSE');
  const types = sse.events.filter((e) => e.pull?.id === moving.id).map((e) => e.type);
  const stalledAt = types.indexOf('pull.stalled');
  assert.ok(stalledAt > 0, `no pull.stalled event: ${types.join(', ')}`);
  assert.ok(types.indexOf('pull.completed') > stalledAt, 'completed after the stall');
  assert.ok(!types.includes('pull.failed'));
});

test('link cut mid-pull: failed with a reason within seconds, never completed; the agent keeps tracking', async (t) => {
  const { containerd, proxy, registry, pulltrace } = await startStack(t);
  const image = await buildAndPushImage(registry.host, {
    repository: 'e2e/cut',
    tag: 'v1',
    layers: [{ size: 5 * MiB }, { size: 5 * MiB }],
  });
  const seen = new PullsRecorder(pulltrace.baseUrl);
  t.after(() => seen.stop());

  const pull = containerd.startPull(imageRef(proxy.host, image));
  const moving = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.manifestDigest === image.manifestDigest && p.downloadedBytes >= 2 * MiB,
    '2 MiB downloaded',
  );
  proxy.cut();
  const r = await pull.done;
  assert.notEqual(r.code, 0, 'ctr must fail when the link is cut');
  assert.match(r.stderr, /connection reset by peer/);
  const failed = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.id === moving.id && p.status === 'failed',
    'the pull to be shown failed',
    10_000,
  );
  assert.match(failed.error ?? '', /aborted/, `error "${failed.error}" says why`);
  assert.ok(failed.downloadedBytes >= moving.downloadedBytes, 'what was downloaded is kept');
  assert.ok(failed.downloadedBytes < failed.totalBytes);

  // The agent keeps running and a new pull of the same image is a new, tracked pull.
  proxy.restore();
  const again = containerd.startPull(imageRef(proxy.host, image));
  const second = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.manifestDigest === image.manifestDigest && p.id !== moving.id && p.status === 'completed',
    'the new pull to complete',
    30_000,
  );
  assert.equal((await again.done).code, 0);
  seen.stop();
  assert.equal(second.downloadedBytes, second.totalBytes);
  assert.ok(
    seen.of(image.manifestDigest).every((p) => p.id !== moving.id || p.status !== 'completed'),
    'the failed pull is never shown completed',
  );
  const final = (await getPulls(pulltrace.baseUrl)).filter((p) => p.manifestDigest === image.manifestDigest);
  assert.deepEqual(final.map((p) => p.status).sort(), ['completed', 'failed']);
  assert.ok(pulltrace.proc.running, 'pulltrace is still running');
});
