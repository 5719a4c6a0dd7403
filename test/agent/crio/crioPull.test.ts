// A CRI-O pull followed live (docs/agent.md, "CRI-O nodes"): per-layer bytes from the pull's
// folder, never more than crossed the link and exact at the end; the image named and completed
// when it lands; `agent.runtime: "cri-o"` in the reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAndPushImage, getPulls, imageRef, MiB, PullsRecorder, waitForPull } from '../../kit/index.js';
import { startCrioStack } from './crioStack.js';

test('a pull through the throttle: bytes per layer live, never above the bytes across the link, exact at the end', async (t) => {
  const { proxy, registry, node, pulltrace } = await startCrioStack(t);
  const image = await buildAndPushImage(registry.host, {
    repository: 'crio/single',
    tag: 'v1',
    layers: [{ size: 3 * MiB }, { size: 2 * MiB }, { size: MiB }],
  });
  const seen = new PullsRecorder(pulltrace.baseUrl);
  t.after(() => seen.stop());
  const ref = imageRef(proxy.host, image);
  const pull = node.pull(ref);
  t.after(() => pull.stop());

  const repository = `${proxy.host}/crio/single`;
  const moving = await waitForPull(
    pulltrace.baseUrl,
    (p) => p.imageRef === repository && p.status === 'pulling' && p.downloadedBytes >= MiB,
    '1 MiB of the pull shown while it runs',
  );
  // What the server shows was read from files the bytes were written to: never more than crossed the link.
  const crossed = proxy.bytesToClient();
  const now = (await getPulls(pulltrace.baseUrl)).find((p) => p.id === moving.id);
  assert.ok(now);
  const shown = (now.layers ?? []).reduce((s, l) => s + l.downloadedBytes, 0);
  assert.ok(shown <= crossed, `shown ${shown} > crossed ${crossed}`);
  assert.ok(shown < image.layerBytes, 'seen mid-pull');
  assert.ok(
    (now.layers ?? []).some(
      (l) => l.state === 'downloading' && l.digestProvisional === true && image.layers.some((x) => x.digest === l.digest),
    ),
    `a downloading layer named (provisionally) by one of the image's digests: ${JSON.stringify(now.layers)}`,
  );

  const r = await pull.exited;
  assert.equal(r.code, 0, r.stderr);
  const done = await waitForPull(pulltrace.baseUrl, (p) => p.id === moving.id && p.status === 'completed', 'the pull to complete');
  seen.stop();
  assert.equal(done.imageRef, ref);
  assert.equal(done.manifestDigest, image.manifestDigest);
  assert.equal(done.totalKnown, true);
  assert.equal(done.totalBytes, image.layerBytes);
  assert.equal(done.downloadedBytes, image.layerBytes);
  assert.deepEqual(
    (done.layers ?? []).map((l) => [l.digest, l.totalBytes, l.downloadedBytes, l.state, l.digestProvisional]),
    image.layers.map((l) => [l.digest, l.size, l.size, 'done', undefined]),
  );
  // Blobs, the manifest, the config and HTTP headers crossed the link; the layers are most of it.
  const total = proxy.bytesToClient();
  assert.ok(total >= image.layerBytes && total < image.layerBytes + 64 * 1024, `crossed ${total} for ${image.layerBytes} of layers`);
  assert.equal(new Set(seen.snapshots.flatMap((s) => s.pulls.map((p) => p.id))).size, 1, 'one pull from folder to image');

  const agents = (await (await fetch(`${pulltrace.baseUrl}/api/v1/agents`)).json()) as { agents?: Array<{ runtime?: string }> };
  assert.equal(agents.agents?.[0]?.runtime, 'cri-o');
});
