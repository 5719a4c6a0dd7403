// Table tests for the `cluster` setting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClusterName } from './parseClusterName.js';

test('DNS labels are accepted; anything else is refused with the rule', () => {
  for (const ok of ['default', 'eu-west-1', 'a', 'x'.repeat(63), '0prod']) assert.equal(parseClusterName(ok), ok);
  for (const bad of ['', 'Prod', 'eu.west', 'a b', '-a', 'a-', 'x'.repeat(64), 'a*', 'a>']) {
    assert.throws(() => parseClusterName(bad), /must be a DNS label/, JSON.stringify(bad));
  }
});
