/// <reference lib="dom" />
// A page of finished pulls: each row's image, node, final status, bytes (and cached), duration
// from start to finish, and the waiting pods or the error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HistoryTable } from '../../../web/src/components/HistoryTable.js';
import { pull } from '../unit/fixtures.js';
import { render } from './support/render.js';

const MB = 1_000_000;

test('each finished pull is a row: image, node, status, bytes, duration, pods', (t) => {
  const view = render(
    t,
    <HistoryTable
      pulls={[
        pull({
          id: 'a',
          imageRef: 'docker.io/library/nginx:1.27',
          nodeName: 'worker-1',
          status: 'completed',
          downloadedBytes: 40 * MB,
          cachedBytes: 5 * MB,
          startedAt: '2026-01-01T00:00:00Z',
          completedAt: '2026-01-01T00:02:05Z',
          pods: [
            { namespace: 'shop', podName: 'web-1', container: 'nginx', image: 'nginx:1.27' },
            { namespace: 'shop', podName: 'web-2', container: 'nginx', image: 'nginx:1.27' },
          ],
        }),
      ]}
    />,
  );
  const cells = [...view.get('[data-testid=history-row]').querySelectorAll('td')].map((c) => (c.textContent ?? '').trim());
  assert.deepEqual(cells.slice(1), [
    'nginx:1.27',
    'worker-1',
    'completed',
    '40.0 MB5.00 MB cached',
    '2m 05s',
    'shop/web-1/nginx, shop/web-2/nginx',
  ]);
  assert.equal(cells[0], new Date('2026-01-01T00:02:05Z').toLocaleString(), 'finished, in local time');
  assert.equal(view.get('[data-testid=history-row] td').title, '2026-01-01T00:02:05Z');
  assert.equal(view.text('[data-testid=history-row] .cached'), '5.00 MB cached');
});

test('a failed pull shows why; a pull with no finish time shows dashes', (t) => {
  const view = render(
    t,
    <HistoryTable
      pulls={[
        pull({ id: 'f', status: 'failed', error: 'manifest unknown', completedAt: '2026-01-01T00:00:09Z' }),
        pull({ id: 'n', status: 'completed', completedAt: undefined }),
      ]}
    />,
  );
  const [failed, unfinished] = view.container.querySelectorAll('[data-testid=history-row]');
  assert.equal(failed?.querySelector('.badge')?.textContent, 'failed');
  assert.equal(failed?.querySelector('.inline-error')?.textContent, 'manifest unknown');
  assert.equal(failed?.querySelector('[data-testid=duration]')?.textContent, '9s');
  assert.equal(unfinished?.querySelector('[data-testid=duration]')?.textContent, '–');
  assert.equal(unfinished?.querySelector('td')?.textContent, '–');
});

test('a row that cannot be drawn becomes an error row spanning the table', (t) => {
  t.mock.method(console, 'error', () => {}); // React reports the caught error; expected here
  const broken = { ...pull({ id: 'broken' }), pods: 'not a list' } as unknown as ReturnType<typeof pull>;
  const view = render(t, <HistoryTable pulls={[pull({ id: 'ok', completedAt: '2026-01-01T00:00:09Z' }), broken]} />);
  assert.equal(view.texts('[data-testid=history-row]').length, 1);
  assert.match(view.text('tr[data-testid=row-error]'), /^Pull broken could not be shown: /);
  assert.equal(view.get('tr[data-testid=row-error] td').getAttribute('colspan'), '7');
});
