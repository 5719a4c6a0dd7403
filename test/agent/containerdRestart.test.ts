// Scenario 6: containerd restarted mid-run. The agent survives the outage (one warning), reconnects
// with backoff, reports the pull that was in flight as failed (its writer died with containerd),
// and tracks later pulls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAndPushImage, imageRef, MiB, startStack, waitFor, waitForPull } from '../kit/index.js';

test('containerd down and restarted mid-pull: one warning, reconnect, the interrupted pull fails, later pulls tracked', async (t) => {
  const { containerd, proxy, registry, pulltrace } = await startStack(t);
  const inFlight = await buildAndPushImage(registry.host, { repository: 'e2e/during', tag: 'v1', layers: [{ size: 6 * MiB }] });
  const later = await buildAndPushImage(registry.host, {
    repository: 'e2e/after',
    tag: 'v1',
    layers: [{ size: 3 * MiB }, { size: 2 * MiB }],
  });

  const pull = containerd.startPull(imageRef(proxy.host, inFlight));
  const moving = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.manifestDigest === inFlight.manifestDigest && p.downloadedBytes >= MiB,
    '1 MiB downloaded',
  );
  // A crash, not a clean stop: containerd leaves the pull's ingests and manifest behind.
  await containerd.kill();
  assert.notEqual((await pull.done).code, 0, 'ctr loses its pull with containerd');
  await waitFor(() => pulltrace.logs().some((l) => l.msg === 'cannot reach containerd; retrying with backoff'), {
    timeoutMs: 10_000,
    what: 'the agent to notice containerd is gone',
  });
  await containerd.restart();
  await waitFor(() => pulltrace.logs().some((l) => l.msg === 'containerd reachable again'), {
    timeoutMs: 20_000,
    what: 'the agent to reconnect',
  });
  assert.ok(pulltrace.proc.running, 'the agent never exits on a transient error');
  const warnings = pulltrace.logs().filter((l) => l.component === 'agent' && l.level === 'warn');
  assert.equal(warnings.length, 1, `one warning for the outage, not one per poll: ${JSON.stringify(warnings)}`);

  const ended = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.id === moving.id && p.status !== 'pulling' && p.status !== 'stalled',
    'the interrupted pull to end',
  );
  assert.equal(ended.status, 'failed', 'the pull that died with containerd is failed, not completed');
  assert.match(ended.error ?? '', /containerd was unreachable/);

  const r = await containerd.startPull(imageRef(proxy.host, later)).done;
  assert.equal(r.code, 0, r.stderr);
  const done = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.manifestDigest === later.manifestDigest && p.status === 'completed',
    'the later pull to complete',
  );
  assert.equal(done.downloadedBytes, done.totalBytes);
  assert.equal(done.imageRef, imageRef(proxy.host, later));
});

test('a quick containerd restart is transparent: later pulls are tracked', async (t) => {
  const { containerd, proxy, registry, pulltrace } = await startStack(t);
  const image = await buildAndPushImage(registry.host, { repository: 'e2e/quick', tag: 'v1', layers: [{ size: 3 * MiB }] });
  await containerd.restart();
  const r = await containerd.startPull(imageRef(proxy.host, image)).done;
  assert.equal(r.code, 0, r.stderr);
  const done = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.manifestDigest === image.manifestDigest && p.status === 'completed',
    'the pull after the restart',
  );
  assert.equal(done.downloadedBytes, done.totalBytes);
  assert.ok(pulltrace.logs().filter((l) => l.component === 'agent' && l.level === 'warn').length <= 1);
});
