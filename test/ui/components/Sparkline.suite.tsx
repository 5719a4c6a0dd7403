/// <reference lib="dom" />
// The header's throughput sparkline: an SVG image with a name, its line drawn from the samples
// (largest at the top) with attributes only, since the CSP forbids inline styles.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Sparkline } from '../../../web/src/components/Sparkline.js';
import { render } from './support/render.js';

test('the line runs across the box, the largest sample at the top', (t) => {
  const view = render(t, <Sparkline samples={[0, 5, 10]} label="aggregate throughput" />);
  const svg = view.get('svg');
  assert.equal(svg.getAttribute('role'), 'img');
  assert.equal(svg.getAttribute('aria-label'), 'aggregate throughput');
  assert.equal(svg.getAttribute('viewBox'), '0 0 120 24');
  assert.equal(view.get('polyline').getAttribute('points'), '0,24 60,12 120,0');
  assert.equal(view.container.querySelector('[style]'), null, 'no inline style');
});

test('no samples yet: an empty line', (t) => {
  assert.equal(
    render(t, <Sparkline samples={[]} label="x" />)
      .get('polyline')
      .getAttribute('points'),
    '',
  );
});
