import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PullEvent } from '../../model/index.js';
import { PullEventBus } from './pullEventBus.js';

const event = { schemaVersion: 'v1', timestamp: '2026-11-27T10:00:00Z', type: 'pull.started', nodeName: 'n' } as PullEvent;

test('a listener that throws is reported, and every other listener still gets the event', () => {
  const errors: unknown[] = [];
  const bus = new PullEventBus((err) => errors.push(err));
  const got: string[] = [];
  bus.subscribe(() => got.push('first'));
  bus.subscribe(() => {
    throw new TypeError('a malformed pull');
  });
  bus.subscribe(() => got.push('last'));
  assert.doesNotThrow(() => bus.publish(event));
  assert.deepEqual(got, ['first', 'last']);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /a malformed pull/);
});
