import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failureReasonLabel } from './failureReasonLabels.js';

test('failure kinds show their labels; an unknown kind is shown as sent', () => {
  assert.equal(failureReasonLabel('rate_limited'), 'rate-limited');
  assert.equal(failureReasonLabel('agent_lost'), 'agent lost');
  assert.equal(failureReasonLabel('some_new_kind'), 'some_new_kind');
  assert.equal(failureReasonLabel('toString'), 'toString');
});
