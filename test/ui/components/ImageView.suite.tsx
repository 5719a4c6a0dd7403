/// <reference lib="dom" />
// The image view from fixtures (grouped with the app's own groupByImage): one card per image with
// its nodes, bytes, speed and counts; a click opens a row per node; error text stays text; and an
// image or node row that cannot be drawn shows an error in its place, the rest of the view stays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImageView } from '../../../web/src/components/ImageView.js';
import { emptyState } from '../../../web/src/state/emptyState.js';
import { groupByImage } from '../../../web/src/state/imageGroups.js';
import type { PullStatus } from '../../../web/src/state/types.js';
import { pull } from '../unit/fixtures.js';
import { render } from './support/render.js';

const MB = 1_000_000;
const NGINX = 'docker.io/library/nginx:1.27';
const HOSTILE_ERROR = 'failed to copy: <script>alert("x")</script><img src=x onerror=alert(2)> 503';

const PULLS: PullStatus[] = [
  pull({ id: 'n1', imageRef: NGINX, nodeName: 'worker-1', downloadedBytes: 30 * MB, totalBytes: 100 * MB, bytesPerSec: 2 * MB }),
  pull({ id: 'n2', imageRef: NGINX, nodeName: 'worker-2', downloadedBytes: 10 * MB, totalBytes: 100 * MB, bytesPerSec: 1 * MB }),
  pull({
    id: 'r1',
    imageRef: 'docker.io/library/redis:7',
    nodeName: 'worker-1',
    status: 'failed',
    error: HOSTILE_ERROR,
    totalBytes: 0,
    downloadedBytes: 0,
  }),
];

function view(t: Parameters<typeof render>[0], pulls: PullStatus[], focus = '', onFocus: (ref: string) => void = () => {}) {
  return render(
    t,
    <ImageView
      groups={groupByImage(pulls)}
      focus={focus}
      onFocus={onFocus}
      onOpenPull={() => {}}
      empty={emptyState(0, { reporting: 0, total: 0 })}
    />,
  );
}

test('no pulls: the view says so', (t) => {
  assert.match(view(t, []).text('.empty'), /^No agent has reported yet/);
});

test('one card per image: nodes, bytes over all nodes, speed and counts', (t) => {
  const v = view(t, PULLS);
  assert.deepEqual(v.texts('[data-testid=image-group] .image'), ['nginx:1.27', 'redis:7'], 'the biggest rollout first');
  const nginx = v.get('[data-testid=image-group]');
  assert.equal(nginx.querySelector('[data-testid=image-nodes]')?.textContent, '2 nodes');
  assert.equal(nginx.querySelector('[data-testid=image-bytes]')?.textContent, '40.0 MB / 200 MB');
  assert.equal(nginx.querySelector('[data-testid=image-speed]')?.textContent, '3.00 MB/s');
  assert.equal(nginx.querySelector('.image-counts')?.textContent, '2 active · 0 done');
  assert.equal(nginx.querySelector('.percent')?.textContent, '20.0%');
  const redis = v.container.querySelectorAll('[data-testid=image-group]')[1];
  assert.equal(redis?.querySelector('[data-testid=image-nodes]')?.textContent, '1 node');
  assert.equal(redis?.querySelector('.image-counts')?.textContent, '0 active · 0 done · 1 failed');
  assert.equal(redis?.querySelector('.percent')?.textContent, '–', 'a failed pull of unknown size is not 100 %');
  assert.ok(redis?.querySelector('.bar-failed'), 'an image whose only pull failed is drawn failed, not complete');
  assert.equal(redis?.querySelector('.bar-completed'), null);
});

test('a group is coloured by its worst pull: one failure among completed pulls is never a finished bar', (t) => {
  const v = view(t, [
    pull({ id: 'a', imageRef: NGINX, nodeName: 'worker-1', status: 'completed', downloadedBytes: 100 * MB, totalBytes: 100 * MB }),
    pull({ id: 'b', imageRef: NGINX, nodeName: 'worker-2', status: 'failed', downloadedBytes: 100 * MB, totalBytes: 100 * MB }),
  ]);
  const card = v.get('[data-testid=image-group]');
  assert.ok(card.querySelector('.image-head .bar-failed'), 'the head bar is drawn failed');
  assert.equal(card.querySelector('.image-head .bar-completed'), null);
});

test('a click on a closed card asks to focus its image, on an open one to close it', (t) => {
  const asked: string[] = [];
  const closed = view(t, PULLS, '', (ref) => asked.push(ref));
  assert.equal(closed.get('button.image-head').getAttribute('aria-expanded'), 'false');
  assert.equal(closed.container.querySelector('[data-testid=image-node-row]'), null);
  closed.click('button.image-head');
  const open = view(t, PULLS, NGINX, (ref) => asked.push(ref));
  assert.equal(open.get('button.image-head').getAttribute('aria-expanded'), 'true');
  open.click('button.image-head');
  assert.deepEqual(asked, [NGINX, '']);
});

test('an open card has a row per node; an error in it is shown as text', (t) => {
  const nginx = view(t, PULLS, NGINX);
  const rows = [...nginx.container.querySelectorAll('[data-testid=image-node-row]')].map((r) =>
    [...r.querySelectorAll('td')].map((c) => (c.textContent ?? '').trim()),
  );
  assert.deepEqual(rows, [
    ['worker-1', 'pulling', '', '30.0 MB / 100 MB', '2.00 MB/s', '–'],
    ['worker-2', 'pulling', '', '10.0 MB / 100 MB', '1.00 MB/s', '–'],
  ]);

  const redis = view(t, PULLS, 'docker.io/library/redis:7');
  assert.equal(redis.text('[data-testid=image-node-row] .inline-error'), HOSTILE_ERROR);
  assert.equal(redis.container.querySelectorAll('script, img').length, 0, 'nothing became markup');
});

test('a node row or an image that cannot be drawn shows an error in its place; the rest stays', (t) => {
  t.mock.method(console, 'error', () => {}); // React reports the caught errors; expected here
  // An error that is an object, not text: React cannot draw it.
  const badRow = { ...PULLS[1]!, id: 'bad-row', nodeName: 'worker-9', error: { message: 'no' } } as unknown as PullStatus;
  const badImage = { ...pull({ id: 'bad-image', nodeName: 'worker-3' }), imageRef: 42 } as unknown as PullStatus;
  const v = view(t, [PULLS[0]!, badRow, badImage], NGINX);
  assert.deepEqual(v.texts('[data-testid=image-node-row] td:first-child'), ['worker-1'], 'the good node row is drawn');
  const errors = v.texts('[data-testid=row-error]');
  assert.equal(errors.length, 2, errors.join('\n'));
  assert.match(errors.find((e) => e.startsWith('Image 42')) ?? '', /^Image 42 could not be shown: /);
  assert.match(errors.find((e) => e.startsWith('Pull bad-row')) ?? '', /^Pull bad-row on worker-9 could not be shown: /);
  assert.deepEqual(v.texts('[data-testid=image-group] .image'), ['nginx:1.27'], 'the other image is drawn');
});
