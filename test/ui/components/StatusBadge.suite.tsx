/// <reference lib="dom" />
// The status badge: the state's text and its colour class together, so it reads without colour.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusBadge } from '../../../web/src/components/StatusBadge.js';
import type { PullState } from '../../../web/src/state/types.js';
import { render } from './support/render.js';

for (const status of ['pulling', 'unpacking', 'stalled', 'completed', 'failed'] as PullState[]) {
  test(`the ${status} badge says ${status} and carries its colour class`, (t) => {
    const view = render(t, <StatusBadge status={status} />);
    assert.equal(view.text('.badge'), status);
    assert.equal(view.get('.badge').className, `badge badge-${status}`);
  });
}
