// The agent's real-containerd scenarios, run on one containerd version per test file (1.6 from
// Debian bookworm, 1.7 from trixie, 2.x from sid; see scripts/provision/containerd-versions.sh).
// One stack (registry, throttling proxy, containerd with CRI, pulltrace standalone) per file, its
// scenarios in sequence, each with its own images: ctr and CRI pulls, a failure, a cached layer,
// a layer two pulls share, and unpacking. A missing version fails the file (containerdBinaries).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FAILURE_REASONS, type PullStatus } from '../../../src/model/index.js';
import {
  buildAndPushImage,
  type ContainerdSeries,
  containerdBinaries,
  getPulls,
  imageRef,
  MiB,
  RATE,
  SseRecorder,
  type Stack,
  startStack,
  waitForPull,
} from '../../kit/index.js';

const FAILURE_KINDS = new Set<string>(FAILURE_REASONS);
/** Empty files in the slow-to-unpack layer: 1–5 s of extraction here (the unpack phase the agent must see; polls are 200 ms). */
const EMPTY_FILES = 20_000;

/** A labelled sample from the Prometheus text, e.g. pulltrace_pull_errors_total{reason="unknown"}. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const escaped = `${name}${labels}`.replace(/[{}"]/g, (c) => `\\${c}`);
  const m = new RegExp(`^${escaped} ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

const ended = (p: PullStatus) => p.status === 'completed' || p.status === 'failed';

export function containerdVersionSuite(series: ContainerdSeries): void {
  describe(`agent on containerd ${series}`, () => {
    let stack: Stack;
    let sse: SseRecorder | undefined;
    // The stack lives for the whole file: its clean-ups run after the last scenario.
    const cleanups: Array<() => unknown> = [];
    before(async () => {
      containerdBinaries(series); // fails here, naming the provisioning script, if this version is missing
      stack = await startStack({ after: (fn) => cleanups.push(fn) }, { cri: true, series, flags: ['--report-interval', '200ms'] });
      sse = await SseRecorder.connect(`${stack.pulltrace.baseUrl}/api/v1/events`);
    });
    after(async () => {
      sse?.close();
      for (const fn of cleanups.reverse()) await fn();
    });

    test('ctr pull: named by its tag, exact bytes, layers done, completed', async () => {
      const { containerd, proxy, registry, pulltrace } = stack;
      assert.equal(containerd.series, series);
      const image = await buildAndPushImage(registry.host, {
        repository: 'v/ctr',
        tag: 'v1',
        layers: [{ size: 3 * MiB }, { size: 2 * MiB }],
      });
      const r = await containerd.startPull(imageRef(proxy.host, image)).done;
      assert.equal(r.code, 0, r.stderr);
      const p = await waitForPull(pulltrace.baseUrl, (x) => x.manifestDigest === image.manifestDigest && ended(x), 'the ctr pull to end');
      assert.equal(p.status, 'completed');
      assert.equal(p.imageRef, imageRef(proxy.host, image));
      assert.equal(p.totalBytes, image.configSize + image.layerBytes);
      assert.equal(p.downloadedBytes, p.totalBytes);
      assert.deepEqual(
        p.layers?.map((l) => l.state),
        ['done', 'done', 'done'],
      );
      // Whether a poll fell between the last commit and the image record depends on timing; if one did, it is in order.
      if (p.unpackStartedAt) assert.ok(p.unpackStartedAt <= (p.completedAt as string));
    });

    test('CRI pull (as the kubelet pulls): named by its tag, exact bytes; a cancelled CRI pull fails', async () => {
      const { containerd, proxy, registry, pulltrace } = stack;
      const image = await buildAndPushImage(registry.host, {
        repository: 'v/cri',
        tag: 'v1',
        layers: [{ size: 3 * MiB }, { size: 2 * MiB }],
      });
      const r = await containerd.criPull(imageRef(proxy.host, image)).done;
      assert.ok(r.ok, r.error);
      const p = await waitForPull(pulltrace.baseUrl, (x) => x.manifestDigest === image.manifestDigest && ended(x), 'the CRI pull to end');
      assert.equal(p.status, 'completed');
      assert.equal(p.imageRef, imageRef(proxy.host, image), 'the tag record, not the digest or image-ID records');
      assert.equal(p.downloadedBytes, image.configSize + image.layerBytes);

      const slow = await buildAndPushImage(registry.host, { repository: 'v/cri-cancel', tag: 'v1', layers: [{ size: 8 * MiB }] });
      const pull = containerd.criPull(imageRef(proxy.host, slow));
      const moving = await waitForPull(
        pulltrace.baseUrl,
        (x) => x.manifestDigest === slow.manifestDigest && x.downloadedBytes >= MiB,
        '1 MiB of the CRI pull to be cancelled',
      );
      pull.cancel();
      assert.equal((await pull.done).ok, false);
      const failed = await waitForPull(pulltrace.baseUrl, (x) => x.id === moving.id && ended(x), 'the cancelled CRI pull to end');
      assert.equal(failed.status, 'failed');
      assert.ok(FAILURE_KINDS.has(failed.failureReason ?? ''), `failureReason ${failed.failureReason} is one of the kinds`);
    });

    test('link cut mid-pull: failed with a reason kind, counted by reason, never completed', async () => {
      const { containerd, proxy, registry, pulltrace } = stack;
      const before = await (await fetch(pulltrace.metricsUrl)).text();
      const image = await buildAndPushImage(registry.host, { repository: 'v/cut', tag: 'v1', layers: [{ size: 6 * MiB }] });
      const pull = containerd.startPull(imageRef(proxy.host, image));
      const moving = await waitForPull(
        pulltrace.baseUrl,
        (x) => x.manifestDigest === image.manifestDigest && x.downloadedBytes >= MiB,
        '1 MiB of the pull whose link is cut',
      );
      proxy.cut();
      try {
        assert.notEqual((await pull.done).code, 0, 'ctr fails when the link is cut');
        const failed = await waitForPull(pulltrace.baseUrl, (x) => x.id === moving.id && ended(x), 'the cut pull to end', 15_000);
        assert.equal(failed.status, 'failed');
        assert.ok(failed.failureReason && FAILURE_KINDS.has(failed.failureReason), `failureReason ${failed.failureReason}`);
        assert.ok(failed.downloadedBytes < failed.totalBytes);
        const metrics = await (await fetch(pulltrace.metricsUrl)).text();
        const label = `{reason="${failed.failureReason}"}`;
        const was = sample(before, 'pulltrace_pull_errors_total', label) ?? 0;
        assert.ok((sample(metrics, 'pulltrace_pull_errors_total', label) ?? 0) >= was + 1, `pulltrace_pull_errors_total${label} grew`);
      } finally {
        proxy.restore();
      }
    });

    test('a layer already on the node is cached: cachedBytes is it, the total excludes it', async () => {
      const { containerd, proxy, registry, pulltrace } = stack;
      const base = { size: 2 * MiB, seed: `cached-base-${series}` };
      const first = await buildAndPushImage(registry.host, { repository: 'v/first', tag: 'v1', layers: [base] });
      const second = await buildAndPushImage(registry.host, { repository: 'v/second', tag: 'v1', layers: [base, { size: 2 * MiB }] });
      assert.equal((await containerd.startPull(imageRef(proxy.host, first)).done).code, 0);
      await waitForPull(pulltrace.baseUrl, (x) => x.manifestDigest === first.manifestDigest && ended(x), 'the first pull to end');
      assert.equal((await containerd.startPull(imageRef(proxy.host, second)).done).code, 0);
      const p = await waitForPull(
        pulltrace.baseUrl,
        (x) => x.manifestDigest === second.manifestDigest && ended(x),
        'the second pull to end',
      );
      assert.equal(p.status, 'completed');
      assert.equal(p.layers?.find((l) => l.digest === second.layers[0]!.digest)?.state, 'cached');
      assert.equal(p.cachedBytes, second.layers[0]!.size);
      assert.equal(p.totalBytes, second.configSize + second.layers[1]!.size);
      assert.equal(p.downloadedBytes, p.totalBytes);
    });

    // containerd 2.x holds the second pull, with no ingest of its own, until the first has
    // downloaded and unpacked the layer: it must be shown (the layer shared) during that download.
    for (const via of ['ctr', 'CRI'] as const) {
      test(`two concurrent ${via} pulls sharing a base layer: the second shows it shared while the first downloads it; owner done; bytes counted once`, async () => {
        const { containerd, proxy, registry, pulltrace } = stack;
        const bytesBefore = sample(await (await fetch(pulltrace.metricsUrl)).text(), 'pulltrace_pull_bytes_total') ?? 0;
        const base = { size: 4 * MiB, seed: `shared-base-${via}-${series}` };
        const a = await buildAndPushImage(registry.host, {
          repository: `v/alpha-${via.toLowerCase()}`,
          tag: 'v1',
          layers: [base, { size: 2 * MiB }],
        });
        const b = await buildAndPushImage(registry.host, {
          repository: `v/beta-${via.toLowerCase()}`,
          tag: 'v1',
          layers: [base, { size: 1 * MiB }],
        });
        const sharedDigest = a.layers[0]!.digest;
        const pull = (ref: string): Promise<string | undefined> =>
          via === 'ctr'
            ? containerd.startPull(ref).done.then((r) => (r.code === 0 ? undefined : r.stderr))
            : containerd.criPull(ref).done.then((r) => (r.ok ? undefined : r.error));
        const pullA = pull(imageRef(proxy.host, a));
        // b starts while a downloads the base layer, so a owns it.
        await waitForPull(
          pulltrace.baseUrl,
          (x) => x.manifestDigest === a.manifestDigest && x.downloadedBytes >= MiB,
          'a to be downloading',
        );
        const pullB = pull(imageRef(proxy.host, b));
        const waiting = await waitForPull(
          pulltrace.baseUrl,
          (x) => x.manifestDigest === b.manifestDigest && x.layers?.some((l) => l.digest === sharedDigest && l.state === 'shared') === true,
          'b to show the base layer shared',
        );
        const shared = waiting.layers!.find((l) => l.digest === sharedDigest)!;
        assert.ok(
          shared.downloadedBytes < shared.totalBytes,
          `b is shown while a still downloads the layer (first seen with ${shared.downloadedBytes} of ${shared.totalBytes} bytes)`,
        );
        const pa = (await getPulls(pulltrace.baseUrl)).find((x) => x.manifestDigest === a.manifestDigest)!;
        assert.equal(shared.sharedWith, pa.id, 'sharedWith names the pull downloading it');
        assert.equal(waiting.cachedBytes, 0, 'shared is not cached: it was not on the node before b started');
        assert.equal(waiting.totalBytes, b.configSize + b.layerBytes, 'the shared layer is part of what b needs');

        assert.equal(await pullA, undefined);
        assert.equal(await pullB, undefined);
        const doneA = await waitForPull(pulltrace.baseUrl, (x) => x.id === pa.id && ended(x), 'a to end');
        const doneB = await waitForPull(pulltrace.baseUrl, (x) => x.id === waiting.id && ended(x), 'b to end');
        assert.equal(doneA.layers?.find((l) => l.digest === sharedDigest)?.state, 'done');
        assert.equal(doneB.layers?.find((l) => l.digest === sharedDigest)?.state, 'shared');
        assert.equal(doneB.cachedBytes, 0);
        assert.equal(doneB.totalBytes, b.configSize + b.layerBytes);
        assert.equal(doneB.percent, 100);
        assert.equal(doneB.downloadedBytes, doneB.totalBytes);
        const unique = a.configSize + b.configSize + a.layerBytes + b.layers[1]!.size;
        const metrics = await (await fetch(pulltrace.metricsUrl)).text();
        assert.equal((sample(metrics, 'pulltrace_pull_bytes_total') ?? 0) - bytesBefore, unique, 'the shared layer counted once');
      });
    }

    // CRI (the kubelet's path) writes the image record after unpacking. `ctr images pull` of 1.x
    // writes it first and unpacks afterwards, so a ctr pull completes when its blobs are fetched.
    test('unpacking (CRI pull): shown from the last blob to the image record, with pull.unpacking and the layer being applied', async () => {
      const { containerd, proxy, registry, pulltrace } = stack;
      // One layer, slow to unpack, downloaded over several polls (so the agent knows the pull before
      // it unpacks); containerd applies it only once it is committed, and writes the image record after.
      proxy.setRate(256 * 1024);
      try {
        const image = await buildAndPushImage(registry.host, {
          repository: 'v/unpack',
          tag: 'v1',
          layers: [{ size: 64 * 1024, emptyFiles: EMPTY_FILES }],
        });
        const pull = containerd.criPull(imageRef(proxy.host, image));
        const unpacking = await waitForPull(
          pulltrace.baseUrl,
          (x) => x.manifestDigest === image.manifestDigest && x.status === 'unpacking',
          'the pull to be shown unpacking',
        ).catch(async (e) => {
          const seen = (await getPulls(pulltrace.baseUrl)).filter((x) => x.manifestDigest === image.manifestDigest);
          throw new Error(`${(e as Error).message}; the pull was seen as: ${JSON.stringify(seen.map((x) => [x.status, x.completedAt]))}`);
        });
        assert.ok(unpacking.unpackStartedAt, 'unpackStartedAt is set');
        assert.equal(unpacking.downloadedBytes, unpacking.totalBytes, 'every byte is on the node');
        assert.equal(unpacking.percent, 100);
        const result = await pull.done;
        assert.ok(result.ok, result.error);
        const done = await waitForPull(pulltrace.baseUrl, (x) => x.id === unpacking.id && ended(x), 'the unpacked pull to end');
        assert.equal(done.status, 'completed');
        assert.equal(done.unpackStartedAt, unpacking.unpackStartedAt);
        await sse!.waitForEvent((e) => e.type === 'pull.completed' && e.pull?.id === done.id, 'pull.completed on SSE');
        const types = sse!.events.filter((e) => e.pull?.id === done.id && e.type.startsWith('pull.')).map((e) => e.type);
        const at = types.indexOf('pull.unpacking');
        assert.ok(at > 0 && at < types.indexOf('pull.completed'), `pull.unpacking before pull.completed: ${types.join(', ')}`);
        assert.equal(types.filter((t) => t === 'pull.unpacking').length, 1);
        const layerSeen = sse!.events.some((e) => e.pull?.id === done.id && e.pull.unpackingLayer === image.layers[0]!.digest);
        assert.ok(layerSeen, 'the slow layer was named as the one being unpacked');
        const metrics = await (await fetch(pulltrace.metricsUrl)).text();
        assert.ok((sample(metrics, 'pulltrace_pull_unpack_duration_seconds_count') ?? 0) >= 1, 'unpack duration observed');
      } finally {
        proxy.setRate(RATE);
      }
    });
  });
}
