/// <reference lib="dom" />
// The pods waiting on a pull: the first three as namespace/pod/container, a count of the rest,
// and all of them on hover.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pods } from '../../../web/src/components/Pods.js';
import type { PodRef } from '../../../web/src/state/types.js';
import { render } from './support/render.js';

const pod = (namespace: string, podName: string, container = 'app'): PodRef => ({
  namespace,
  podName,
  container,
  image: 'docker.io/library/nginx:1.27',
});

test('no waiting pods: nothing is drawn', (t) => {
  assert.equal(render(t, <Pods pods={[]} />).container.innerHTML, '');
});

test('waiting pods read as namespace/pod/container', (t) => {
  const view = render(t, <Pods pods={[pod('shop', 'checkout-7d9f'), pod('batch', 'report-5c2x', 'report')]} />);
  assert.deepEqual(view.texts('[data-testid=pod]'), ['shop/checkout-7d9f/app', 'batch/report-5c2x/report']);
  assert.equal(view.container.querySelector('.pod-more'), null);
});

test('past three pods, the rest are counted and every pod is listed on hover', (t) => {
  const pods = ['a', 'b', 'c', 'd', 'e'].map((name) => pod('ns', name));
  const view = render(t, <Pods pods={pods} />);
  assert.deepEqual(view.texts('[data-testid=pod]'), ['ns/a/app', 'ns/b/app', 'ns/c/app']);
  assert.equal(view.text('.pod-more'), '+2 more');
  assert.equal(view.get('.pods').title, 'ns/a/app\nns/b/app\nns/c/app\nns/d/app\nns/e/app');
});
