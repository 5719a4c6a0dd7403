/// <reference lib="dom" />
// One pull row from fixtures: what an operator reads in it (image, node, badge, percent, bytes,
// speed, ETA), the notes under it (unpacking, error, layers not listed), and its expand button.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PullRow } from '../../../web/src/components/PullRow.js';
import type { PullStatus } from '../../../web/src/state/types.js';
import { layer, pull } from '../unit/fixtures.js';
import { render } from './support/render.js';

const NOW = Date.parse('2026-01-01T00:02:05Z');
const MB = 1_000_000;

function row(t: Parameters<typeof render>[0], p: PullStatus, expanded = false, onToggle: (id: string) => void = () => {}) {
  return render(t, <PullRow pull={p} expanded={expanded} onToggle={onToggle} now={NOW} />);
}

test('a pulling row shows its image, waiting pod, node, badge, percent, bytes, speed, ETA and elapsed time', (t) => {
  const view = row(
    t,
    pull({
      imageRef: 'docker.io/library/nginx:1.27',
      nodeName: 'worker-1',
      downloadedBytes: 42 * MB,
      totalBytes: 100 * MB,
      percent: 42,
      bytesPerSec: 2.5 * MB,
      etaSeconds: 23,
      pods: [{ namespace: 'shop', podName: 'web-7d9f', container: 'nginx', image: 'nginx:1.27' }],
    }),
  );
  assert.equal(view.text('[data-testid=image]'), 'nginx:1.27', 'the implied docker.io/library/ prefix goes');
  assert.deepEqual(view.texts('.cell-image [data-testid=pod]'), ['shop/web-7d9f/nginx'], 'the pod waiting on it');
  assert.equal(view.get('[data-testid=image]').title, 'docker.io/library/nginx:1.27', 'the full name on hover');
  assert.equal(view.text('[data-testid=node]'), 'worker-1');
  assert.equal(view.text('.badge'), 'pulling');
  assert.equal(view.text('[data-testid=percent]'), '42.0%');
  assert.equal(view.get('[role=progressbar]').getAttribute('aria-valuenow'), '42');
  assert.equal(view.text('[data-testid=bytes]'), '42.0 MB / 100 MB');
  assert.equal(view.text('[data-testid=speed]'), '2.50 MB/s');
  assert.equal(view.text('[data-testid=eta]'), '23s');
  assert.equal(view.text('.cell-elapsed'), '2m 05s');
  assert.equal(view.get('[data-testid=pull-row]').dataset.status, 'pulling');
});

test('figures the row cannot know read as dashes or as a lower bound', (t) => {
  const view = row(t, pull({ totalKnown: false, totalBytes: 5 * MB, downloadedBytes: MB, bytesPerSec: 0, etaSeconds: undefined }));
  assert.equal(view.text('[data-testid=bytes]'), '1.00 MB / 5.00 MB+', 'an unknown total is a lower bound');
  assert.equal(view.text('[data-testid=speed]'), '–');
  assert.equal(view.text('[data-testid=eta]'), '–');
});

test('cached bytes and kubelet queueing time are shown beside the bytes', (t) => {
  const view = row(t, pull({ downloadedBytes: 2 * MB, totalBytes: 10 * MB, cachedBytes: 3 * MB, waitSeconds: 75 }));
  assert.equal(view.text('[data-testid=bytes] .cached'), '3.00 MB cached');
  assert.equal(view.text('[data-testid=wait]'), 'queued 1m 15s');
});

test('a finished pull shows no speed or ETA, and its elapsed time stops at completion', (t) => {
  const view = row(t, pull({ status: 'completed', percent: 100, bytesPerSec: 5 * MB, etaSeconds: 3, completedAt: '2026-01-01T00:00:45Z' }));
  assert.equal(view.text('.badge'), 'completed');
  assert.equal(view.text('[data-testid=percent]'), '100%');
  assert.equal(view.text('[data-testid=speed]'), '–');
  assert.equal(view.text('[data-testid=eta]'), '–');
  assert.equal(view.text('.cell-elapsed'), '45s');
});

test('a stalled pull has the stalled badge; a slow one the slow tag', (t) => {
  assert.equal(row(t, pull({ status: 'stalled' })).get('.badge').className, 'badge badge-stalled');
  const slow = row(t, pull({ id: 'slow1', slow: true }));
  assert.equal(slow.text('[data-testid=slow]'), 'slow');
  assert.equal(row(t, pull({ id: 'fast1' })).container.querySelector('[data-testid=slow]'), null, 'no tag on a pull that is not slow');
});

test('a failed pull shows its failure kind and its error verbatim; HTML in it stays text', (t) => {
  const error = 'failed to copy: <script>alert("x")</script><img src=x onerror=alert(2)> 429 <b>Too Many Requests</b>';
  const view = row(
    t,
    pull({ status: 'failed', failureReason: 'rate_limited', error, imageRef: 'docker.io/library/evil:<img src=x onerror=alert(1)>' }),
  );
  assert.equal(view.get('.badge').className, 'badge badge-failed');
  assert.equal(view.text('[data-testid=failure-reason]'), 'rate-limited');
  assert.equal(view.text('[data-testid=error]'), error);
  assert.equal(view.text('[data-testid=image]'), 'evil:<img src=x onerror=alert(1)>');
  assert.equal(view.container.querySelectorAll('script, img, b').length, 0, 'nothing became markup');
});

test('a failure kind shows only on a failed pull', (t) => {
  const view = row(t, pull({ status: 'pulling', failureReason: 'network' }));
  assert.equal(view.container.querySelector('[data-testid=failure-reason]'), null);
});

test('an unpacking pull says so, with the layer and for how long', (t) => {
  const view = row(
    t,
    pull({
      status: 'unpacking',
      unpackingLayer: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      unpackStartedAt: '2026-01-01T00:01:55Z',
    }),
  );
  assert.equal(view.text('.badge'), 'unpacking');
  assert.equal(view.text('[data-testid=unpacking]'), 'every layer is on the node; containerd is unpacking layer 0123456789ab for 10s');
});

test('the expand button names the pull, reports its state and toggles that pull', (t) => {
  const toggled: string[] = [];
  const p = pull({ id: 'abc', imageRef: 'docker.io/library/redis:7', nodeName: 'worker-2', layers: [layer()] });
  const view = row(t, p, false, (id) => toggled.push(id));
  const button = view.get('button.expand');
  assert.equal(button.getAttribute('aria-expanded'), 'false');
  assert.equal(button.getAttribute('aria-label'), 'Show layers of docker.io/library/redis:7 on worker-2');
  assert.equal(view.container.querySelector('[data-testid=layers]'), null, 'no layer table while collapsed');
  view.click('button.expand');
  assert.deepEqual(toggled, ['abc']);

  view.rerender(<PullRow pull={p} expanded onToggle={() => {}} now={NOW} />);
  assert.equal(view.get('button.expand').getAttribute('aria-expanded'), 'true');
  assert.equal(view.get('button.expand').getAttribute('aria-controls'), view.get('[data-testid=layers]').id);
  assert.equal(view.texts('[data-testid=layer-row]').length, 1);
});

test('a trimmed pull says how many layers are not listed, under the layers it has', (t) => {
  const layers = [layer({ digest: 'sha256:aa' }), layer({ digest: 'sha256:bb' })];
  const many = row(t, pull({ id: 'many', layers, layersOmitted: 101 }), true);
  assert.equal(
    many.text('[data-testid=layers-omitted]'),
    '101 more layers not listed: the image has more layers than an agent report may carry',
  );
  assert.equal(many.texts('[data-testid=layer-row]').length, 2, 'the listed layers are still shown');
  const one = row(t, pull({ id: 'one', layers, layersOmitted: 1 }), true);
  assert.match(one.text('[data-testid=layers-omitted]'), /^1 more layer not listed/);
  const none = row(t, pull({ id: 'none', layers }), true);
  assert.equal(none.container.querySelector('[data-testid=layers-omitted]'), null);
});
