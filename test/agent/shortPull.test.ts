// A pull whose downloads all start and end between two polls is never seen as an ingest; its image
// record (containerd's /images/create event) still makes it appear, once, as completed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAndPushImage, getPulls, imageRef, MiB, startStack, waitFor, waitForPull } from '../kit/index.js';

test('a pull shorter than the report interval is reported once, completed, with exact bytes', async (t) => {
  // A 10 s interval and an unthrottled link: the pull is over long before the next poll.
  const { containerd, proxy, registry, pulltrace } = await startStack(t, {
    rate: 500 * MiB,
    flags: ['--report-interval', '10s', '--log-level', 'debug'],
  });
  const image = await buildAndPushImage(registry.host, { repository: 'e2e/short', tag: 'v1', layers: [{ size: MiB }, { size: MiB / 2 }] });
  const r = await containerd.startPull(imageRef(proxy.host, image)).done;
  assert.equal(r.code, 0, r.stderr);

  const p = await waitForPull(pulltrace.baseUrl, (x) => x.manifestDigest === image.manifestDigest, 'the short pull to be reported', 30_000);
  assert.equal(p.status, 'completed', 'first seen already completed');
  assert.equal(p.imageRef, imageRef(proxy.host, image));
  assert.equal(p.totalBytes, image.configSize + image.layerBytes);
  assert.equal(p.downloadedBytes, p.totalBytes);
  const note = await waitFor(
    () => pulltrace.logs().find((l) => l.msg === 'resolver' && /finished between two polls/.test(String(l.resolution))),
    { timeoutMs: 5_000, what: 'the resolver note for the image-event path' },
  );
  assert.ok(note);

  // Re-tagging the image (a new record, no download) is not a pull.
  const tag = await containerd.ctr(['images', 'tag', imageRef(proxy.host, image), `${proxy.host}/e2e/short:retagged`]);
  assert.equal(tag.code, 0, tag.stderr);
  await waitFor(() => pulltrace.logs().some((l) => /retagged: its pull is already tracked/.test(String(l.resolution))), {
    timeoutMs: 25_000,
    what: 'the re-tag to be considered',
  });
  assert.equal((await getPulls(pulltrace.baseUrl)).filter((x) => x.manifestDigest === image.manifestDigest).length, 1);
});
