import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentsOf, connectedLine } from './connectedLine.js';

test('connectedLine: pulls, agents reporting and silent; the pull count only when the server could not say', () => {
  const agents = [
    { cluster: 'default', state: 'reporting' },
    { cluster: 'default', state: 'reporting' },
    { cluster: 'eu', state: 'silent' },
  ];
  assert.equal(connectedLine('http://pt:8080', 0, false, agents), 'connected to http://pt:8080: 0 pulls, 2 agents reporting, 1 silent');
  assert.equal(
    connectedLine('http://pt:8080', 1, true, agents, 'eu'),
    'connected to http://pt:8080: 1 matching pull, 0 agents reporting, 1 silent',
  );
  assert.equal(connectedLine('http://pt:8080', 3, false, []), 'connected to http://pt:8080: 3 pulls, no agent has reported yet');
  assert.equal(
    connectedLine('http://pt:8080', 3, false, agents, 'us'),
    'connected to http://pt:8080: 3 pulls, no agent has reported yet in cluster us',
  );
  assert.equal(connectedLine('http://pt\x1b[2J', 2, false, undefined), 'connected to http://pt\\x1b[2J: 2 pulls');
});

test('agentsOf: the list of an agents answer, undefined for anything else', () => {
  assert.deepEqual(agentsOf({ agents: [{ state: 'reporting' }, null, 3] }), [{ state: 'reporting' }]);
  assert.equal(agentsOf({ error: 'not_found' }), undefined);
  assert.equal(agentsOf(null), undefined);
  assert.equal(agentsOf('x'), undefined);
});
