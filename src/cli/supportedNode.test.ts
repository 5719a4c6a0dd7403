import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseNode, SUPPORTED_NODE_MAJOR } from './supportedNode.js';

test('Node.js 24 and later run the command here', () => {
  for (const v of ['v24.0.0', 'v24.22.3', 'v26.1.0'])
    assert.deepEqual(chooseNode(v, '/repo/node_modules/.bin/node', 'pulltrace'), { kind: 'here' });
});

test('an older Node hands over to the checkout’s LTS Node when there is one', () => {
  assert.deepEqual(chooseNode('v20.20.2', '/repo/node_modules/.bin/node', 'pulltrace'), {
    kind: 'hand-over',
    node: '/repo/node_modules/.bin/node',
  });
});

test('an older Node without one refuses with a sentence naming both versions and the fix', () => {
  const choice = chooseNode('v22.11.0', undefined, 'kubectl pulltrace');
  assert.equal(choice.kind, 'refuse');
  assert.equal(
    choice.kind === 'refuse' && choice.message,
    `kubectl pulltrace needs Node.js ${SUPPORTED_NODE_MAJOR} or later; this is Node.js v22.11.0. Install Node.js 24 (https://nodejs.org/), or run \`npm ci\` in the checkout, which fetches it.`,
  );
});
