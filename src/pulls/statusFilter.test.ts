import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PullStateSchema } from '../model/index.js';
import { ACTIVE_STATES, matchesStatusWords, PULL_STATES, parseStatusList } from './statusFilter.js';

const cases: Array<[string, string[]]> = [
  ['pulling', ['pulling']],
  ['failed', ['failed']],
  ['pulling,stalled', ['pulling', 'stalled']],
  ['stalled, pulling', ['pulling', 'stalled']],
  ['failed,failed', ['failed']],
  ['active', [...ACTIVE_STATES]],
  ['active,completed', PULL_STATES.filter((s) => s !== 'failed')],
];
for (const [input, want] of cases) test(`status=${input}`, () => assert.deepEqual(parseStatusList(input), want));

for (const [input, shown] of <Array<[string, string]>>[
  ['done', '"done"'],
  ['ed', '"ed"'],
  ['Pulling', '"Pulling"'],
  ['pulling,', 'an empty value'],
  ['<b>', '"?b?"'],
]) {
  test(`status=${input} is refused, naming ${shown}`, () => {
    assert.throws(() => parseStatusList(input), {
      message: `query parameter "status" has ${shown} (allowed, comma-separated: ${[...PULL_STATES, 'active'].join(', ')})`,
    });
  });
}

test('active is every state but completed and failed (so new states follow)', () => {
  assert.ok(ACTIVE_STATES.includes('pulling') && ACTIVE_STATES.includes('stalled'));
  assert.ok(!ACTIVE_STATES.includes('completed') && !ACTIVE_STATES.includes('failed'));
  assert.equal(ACTIVE_STATES.length, PULL_STATES.length - 2);
});

test("the states are the model's PullState enum, in its order", () => {
  assert.deepEqual(PULL_STATES, (PullStateSchema as unknown as { enum: string[] }).enum);
});

test('status words: exact states, and active for anything unfinished (a state this client does not know included)', () => {
  assert.equal(matchesStatusWords('pulling', ['pulling']), true);
  assert.equal(matchesStatusWords('stalled', ['pulling', 'failed']), false);
  assert.equal(matchesStatusWords('unpacking', ['active']), true);
  assert.equal(matchesStatusWords('verifying', ['active']), true);
  assert.equal(matchesStatusWords('completed', ['active']), false);
  assert.equal(matchesStatusWords('completed', ['active', 'completed']), true);
});
