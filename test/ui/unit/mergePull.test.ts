import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeLayer, mergePull } from '../../../src/pulls/index.js';
import { layer, pull } from './fixtures.js';

test('a pull seen for the first time is taken as is', () => {
  const next = pull();
  assert.equal(mergePull(undefined, next), next);
});

test('a newer update replaces the old one', () => {
  const next = pull({ downloadedBytes: 200, percent: 20 });
  assert.equal(mergePull(pull(), next), next);
});

test('a finished pull never goes back to pulling (late event after a refetch)', () => {
  const done = pull({ status: 'completed', downloadedBytes: 1000, percent: 100 });
  assert.equal(mergePull(done, pull({ status: 'pulling' })), done);
  const failed = pull({ status: 'failed', error: 'boom' });
  assert.equal(mergePull(failed, pull({ status: 'stalled' })), failed);
});

test('an older update with fewer bytes is ignored', () => {
  const prev = pull({ downloadedBytes: 500 });
  assert.equal(mergePull(prev, pull({ downloadedBytes: 400 })), prev);
});

test('an older view still brings its layer list when we hold none', () => {
  const prev = pull({ status: 'completed', downloadedBytes: 1000, percent: 100 });
  const layers = [layer()];
  const merged = mergePull(prev, pull({ downloadedBytes: 400, layers }));
  assert.equal(merged.status, 'completed');
  assert.equal(merged.downloadedBytes, 1000);
  assert.equal(merged.layers, layers);
});

test('a summary update keeps the layer list we hold', () => {
  const layers = [layer()];
  const merged = mergePull(pull({ layers }), pull({ downloadedBytes: 300 }));
  assert.equal(merged.downloadedBytes, 300);
  assert.equal(merged.layers, layers);
});

test('a layer update replaces that layer, appends a new one, and ignores pulls without a list', () => {
  const held = pull({ layers: [layer({ digest: 'sha256:aa' }), layer({ digest: 'sha256:bb', state: 'waiting', downloadedBytes: 0 })] });
  const updated = mergeLayer(held, layer({ digest: 'sha256:bb', downloadedBytes: 80 }));
  assert.deepEqual(
    updated.layers?.map((l) => [l.digest, l.downloadedBytes]),
    [
      ['sha256:aa', 50],
      ['sha256:bb', 80],
    ],
  );
  assert.equal(held.layers?.[1]?.downloadedBytes, 0, 'the held pull is not mutated');
  assert.equal(mergeLayer(held, layer({ digest: 'sha256:cc' })).layers?.length, 3);
  assert.equal(mergeLayer(held, layer({ digest: 'sha256:aa', downloadedBytes: 10 })), held, 'bytes never go backwards');
  const bare = pull();
  assert.equal(mergeLayer(bare, layer()), bare);
});
