/// <reference lib="dom" />
// The header: the connection state in words, the active, stalled and failed counts (warning
// colour only when there are any) and the aggregate throughput.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Header } from '../../../web/src/components/Header.js';
import type { ConnectionState } from '../../../web/src/live/liveConnection.js';
import { render } from './support/render.js';

const summary = { active: 3, stalled: 0, failed: 2, completed: 7, bytesPerSec: 12_300_000 };

for (const [connection, words] of [
  ['connecting', 'connecting…'],
  ['live', 'live'],
  ['reconnecting', 'reconnecting…'],
] as Array<[ConnectionState, string]>) {
  test(`connection ${connection} reads "${words}"`, (t) => {
    const view = render(t, <Header connection={connection} summary={summary} throughput={[]} />);
    assert.equal(view.text('[data-testid=connection]'), words);
    assert.equal(view.get('[data-testid=connection]').className, `conn conn-${connection}`);
  });
}

test('counts and throughput, with the warning colour only on non-zero stalled or failed counts', (t) => {
  const view = render(t, <Header connection="live" summary={summary} throughput={[1, 2, 3]} />);
  assert.equal(view.text('[data-testid=count-active]'), '3');
  assert.equal(view.text('[data-testid=count-stalled]'), '0');
  assert.equal(view.text('[data-testid=count-failed]'), '2');
  assert.equal(view.text('[data-testid=throughput]'), '12.3 MB/s');
  assert.equal(view.get('[data-testid=count-stalled]').parentElement?.className, 'stat');
  assert.equal(view.get('[data-testid=count-failed]').parentElement?.className, 'stat stat-warn');
  assert.equal(view.get('svg.sparkline').getAttribute('aria-label'), 'aggregate throughput, last 3 minutes');
});

test('agents: how many report, a warning at none, a dash while not known', (t) => {
  const two = render(t, <Header connection="live" summary={summary} throughput={[]} agents={{ reporting: 2, total: 3 }} />);
  assert.equal(two.text('[data-testid=count-agents]'), '2');
  assert.equal(two.get('[data-testid=count-agents]').parentElement?.getAttribute('title'), '2 of 3 agents reporting');
  assert.equal(two.get('[data-testid=count-agents]').parentElement?.className, 'stat');
  const none = render(t, <Header connection="live" summary={summary} throughput={[]} agents={{ reporting: 0, total: 0 }} />);
  assert.equal(none.text('[data-testid=count-agents]'), '0');
  assert.equal(none.get('[data-testid=count-agents]').parentElement?.className, 'stat stat-warn');
  const unknown = render(t, <Header connection="live" summary={summary} throughput={[]} />);
  assert.equal(unknown.text('[data-testid=count-agents]'), '–');
});

test('nothing moving: the throughput is a dash', (t) => {
  const view = render(t, <Header connection="live" summary={{ ...summary, bytesPerSec: 0 }} throughput={[]} />);
  assert.equal(view.text('[data-testid=throughput]'), '–');
});
