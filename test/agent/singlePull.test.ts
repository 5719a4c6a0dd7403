// Scenario 1: one throttled pull, as a user sees it through /api/v1/pulls and the SSE stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildAndPushImage,
  idsOf,
  imageRef,
  MiB,
  PullsRecorder,
  RATE,
  SseRecorder,
  startStack,
  waitFor,
  waitForPull,
} from '../kit/index.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

test('one pull: totals known at once, monotonic progress, exact final bytes, speed near the link rate, layer detail', async (t) => {
  const { containerd, proxy, registry, pulltrace } = await startStack(t);
  const image = await buildAndPushImage(registry.host, {
    repository: 'e2e/single',
    tag: 'v1',
    layers: [{ size: 4 * MiB }, { size: 3 * MiB }, { size: 3 * MiB }, { size: 2 * MiB }],
  });
  const expectedTotal = image.configSize + image.layerBytes;
  const sse = await SseRecorder.connect(`${pulltrace.baseUrl}/api/v1/events`);
  t.after(() => sse.close());
  const seen = new PullsRecorder(pulltrace.baseUrl);
  t.after(() => seen.stop());

  const pull = containerd.startPull(imageRef(proxy.host, image));
  const done = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.manifestDigest === image.manifestDigest && p.status === 'completed',
    'the pull to complete',
    60_000,
  );
  const ctr = await pull.done;
  assert.equal(ctr.code, 0, `ctr pull failed: ${ctr.stderr}`);
  // The recorder polls /api/v1/pulls; let it catch the completed state before it stops.
  await waitFor(() => seen.of(image.manifestDigest).some((p) => p.status === 'completed'), {
    timeoutMs: 5000,
    what: 'the recorder to observe the completed pull',
  });
  seen.stop();

  const history = seen.of(image.manifestDigest);
  assert.ok(history.length > 10, `the pull was observed ${history.length} times; expected a pull spanning several reports`);
  assert.deepEqual(idsOf(history), [done.id], 'one pull, one id');

  // Totals known from the first report.
  const first = history[0]!;
  assert.equal(first.totalKnown, true);
  assert.equal(first.totalBytes, expectedTotal, 'first report already has the full total (config + layers)');
  assert.deepEqual(
    first.layers!.map((l) => l.digest),
    [image.configDigest, ...image.layers.map((l) => l.digest)],
    'config then layers in manifest order',
  );

  // Percent and bytes never decrease.
  for (let i = 1; i < history.length; i++) {
    assert.ok(history[i]!.downloadedBytes >= history[i - 1]!.downloadedBytes, `downloadedBytes decreased at sample ${i}`);
    assert.ok(history[i]!.percent >= history[i - 1]!.percent, `percent decreased at sample ${i}`);
  }

  // Exact end state.
  assert.equal(done.status, 'completed');
  assert.equal(done.totalBytes, expectedTotal);
  assert.equal(done.downloadedBytes, expectedTotal);
  assert.equal(done.percent, 100);
  assert.equal(done.cachedBytes, 0);
  assert.equal(done.imageRef, imageRef(proxy.host, image), 'named by the image record once it exists');
  assert.ok(
    history.every((p) => p.status !== 'failed'),
    'never shown failed',
  );

  // Speed mid-pull within ±25 % of the link rate (median of samples between 25 % and 85 %).
  const mid = history.filter((p) => p.status === 'pulling' && p.percent > 25 && p.percent < 85).map((p) => p.bytesPerSec);
  assert.ok(mid.length >= 3, `only ${mid.length} mid-pull samples`);
  const speed = median(mid);
  assert.ok(Math.abs(speed - RATE) <= 0.25 * RATE, `mid-pull speed ${Math.round(speed)} B/s is not within ±25 % of ${RATE} B/s`);

  // Every layer has its media type; each layer was seen downloading with a positive rate.
  for (const l of done.layers!) assert.ok(l.mediaType, `layer ${l.digest} has no mediaType`);
  for (const layer of image.layers) {
    const moving = history.some((p) =>
      (p.layers ?? []).some((l) => l.digest === layer.digest && l.state === 'downloading' && l.bytesPerSec > 0),
    );
    assert.ok(moving, `layer ${layer.digest} was never seen downloading with bytesPerSec > 0`);
  }

  // The SSE stream tells the same story: started, progress, one completion, no failure.
  await sse.waitForEvent((e) => e.type === 'pull.completed' && e.pull?.id === done.id, 'pull.completed on SSE');
  const events = sse.events.filter((e) => e.pull?.id === done.id);
  assert.equal(events[0]?.type, 'pull.started');
  assert.ok(events.some((e) => e.type === 'pull.progress'));
  assert.equal(events.filter((e) => e.type === 'pull.completed').length, 1);
  assert.equal(events.filter((e) => e.type === 'pull.failed').length, 0);
});
