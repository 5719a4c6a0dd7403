/// <reference lib="dom" />
// The progress bar as assistive technology reads it: a progressbar with a name and a value kept
// within 0–100, whatever number (or non-number) it is given.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressBar } from '../../../web/src/components/ProgressBar.js';
import { render } from './support/render.js';

for (const [percent, valueNow] of [
  [42.345, '42.3'],
  [0, '0'],
  [100, '100'],
  [150, '100'],
  [-5, '0'],
  [Number.NaN, '0'],
  [Number.POSITIVE_INFINITY, '0'],
] as const) {
  test(`percent ${percent} reads as ${valueNow}`, (t) => {
    const bar = render(t, <ProgressBar percent={percent} label="nginx on worker-1" />).get('[role=progressbar]');
    assert.equal(bar.getAttribute('aria-valuenow'), valueNow);
    assert.equal(bar.getAttribute('aria-valuemin'), '0');
    assert.equal(bar.getAttribute('aria-valuemax'), '100');
    assert.equal(bar.getAttribute('aria-label'), 'nginx on worker-1');
  });
}

test('the bar takes the colour of its state and size', (t) => {
  assert.equal(render(t, <ProgressBar percent={1} label="a" />).get('[role=progressbar]').className, 'bar bar-normal bar-pulling');
  const small = render(t, <ProgressBar percent={1} label="b" status="failed" size="small" />);
  assert.equal(small.get('[role=progressbar]').className, 'bar bar-small bar-failed');
});
