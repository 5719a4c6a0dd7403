/// <reference lib="dom" />
// The layer detail of one pull from fixtures: each layer's state (downloading, done, cached,
// shared and with whom, waiting), its bytes and speed, and its media type in short.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LayerTable } from '../../../web/src/components/LayerTable.js';
import { layer } from '../unit/fixtures.js';
import { render } from './support/render.js';

const MB = 1_000_000;
const D = (c: string) => `sha256:${c.repeat(64)}`;

test('before its layers arrive, and for a pull without any, the table says so', (t) => {
  assert.equal(render(t, <LayerTable id="l" layers={undefined} />).text('.layers-note'), 'Loading layers…');
  assert.equal(render(t, <LayerTable id="l" layers={[]} />).text('.layers-note'), 'No layer details reported for this pull.');
});

test('each layer shows its short digest, state, bytes, speed while downloading, and media type', (t) => {
  const view = render(
    t,
    <LayerTable
      id="layers-p1"
      layers={[
        layer({ digest: D('a'), state: 'cached', totalBytes: 5 * MB, downloadedBytes: 5 * MB, percent: 0 }),
        layer({
          digest: D('b'),
          state: 'done',
          totalBytes: 20 * MB,
          downloadedBytes: 20 * MB,
          percent: 100,
          bytesPerSec: 0,
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        }),
        layer({
          digest: D('c'),
          state: 'downloading',
          totalBytes: 30 * MB,
          downloadedBytes: 12 * MB,
          percent: 40,
          bytesPerSec: 1.5 * MB,
          mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd',
        }),
        layer({ digest: D('d'), state: 'waiting', totalKnown: false, downloadedBytes: 0, percent: 0, bytesPerSec: 0 }),
      ]}
    />,
  );
  const rows = [...view.container.querySelectorAll('[data-testid=layer-row]')].map((r) =>
    [...r.querySelectorAll('td')].map((c) => (c.textContent ?? '').trim()),
  );
  assert.deepEqual(rows, [
    ['aaaaaaaaaaaa', 'cached', '', '5.00 MB cached', '–', 'tar+gzip'],
    ['bbbbbbbbbbbb', 'done', '', '20.0 MB / 20.0 MB', '–', 'tar+gzip'],
    ['cccccccccccc', 'downloading', '', '12.0 MB / 30.0 MB', '1.50 MB/s', 'tar+zstd'],
    ['dddddddddddd', 'waiting', '', '0 B / ?', '–', 'tar+gzip'],
  ]);
  assert.deepEqual(
    [...view.container.querySelectorAll('[data-testid=layer-media-type]')].map((c) => c.getAttribute('title')),
    [
      'application/vnd.oci.image.layer.v1.tar+gzip',
      'application/vnd.docker.image.rootfs.diff.tar.gzip',
      'application/vnd.oci.image.layer.v1.tar+zstd',
      'application/vnd.oci.image.layer.v1.tar+gzip',
    ],
    'the full media type on hover',
  );
  // A cached layer is all there: its bar is full whatever percent the report carried.
  assert.deepEqual(
    [...view.container.querySelectorAll('[role=progressbar]')].map((b) => b.getAttribute('aria-valuenow')),
    ['100', '100', '40', '0'],
  );
  assert.equal(view.get('[data-testid=layer-row]').getAttribute('data-digest'), D('a'));
  assert.equal(view.get('[data-testid=layer-row] td').title, D('a'), 'the full digest on hover');
});

test('a shared layer names the pull that downloads it: its image when listed, else its id', (t) => {
  const images = new Map([['owner-pull-1', 'registry.example.com/team/alpha:v1']]);
  const view = render(
    t,
    <LayerTable
      id="l"
      imageOf={(id) => images.get(id)}
      layers={[
        layer({ digest: D('a'), state: 'shared', sharedWith: 'owner-pull-1' }),
        layer({ digest: D('b'), state: 'shared', sharedWith: '0123456789abcdef' }),
        layer({ digest: D('c'), state: 'shared' }),
      ]}
    />,
  );
  assert.deepEqual(view.texts('.layer-state'), ['shared', 'shared', 'shared']);
  assert.deepEqual(view.texts('[data-testid=shared-with]'), [
    'with registry.example.com/team/alpha:v1',
    'with pull 01234567',
    'with another pull on this node',
  ]);
});

test('a manifest that lists the same blob twice shows both rows', (t) => {
  const view = render(t, <LayerTable id="l" layers={[layer({ digest: D('e') }), layer({ digest: D('e') })]} />);
  assert.equal(view.texts('[data-testid=layer-row]').length, 2);
});
