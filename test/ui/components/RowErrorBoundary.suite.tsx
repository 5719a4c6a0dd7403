/// <reference lib="dom" />
// A row that cannot be drawn shows an error in its place (a div in lists, a table row in tables),
// and the next value of the row draws it again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RowErrorBoundary } from '../../../web/src/components/RowErrorBoundary.js';
import { render } from './support/render.js';

function Cell({ value }: { value: unknown }) {
  // What a component does with a value of the wrong type: it throws.
  return <span data-testid="cell">{(value as number).toFixed(1)}</span>;
}

test('in a list, an unrenderable row becomes an alert naming the row and the error; a new value retries', (t) => {
  t.mock.method(console, 'error', () => {}); // React reports the caught error; expected here
  const row = (value: unknown) => (
    <RowErrorBoundary what="Pull p1 (nginx on worker-1)" resetKey={value}>
      <Cell value={value} />
    </RowErrorBoundary>
  );
  const view = render(t, row(null));
  assert.equal(view.get('[data-testid=row-error]').tagName, 'DIV');
  assert.equal(view.get('[data-testid=row-error]').getAttribute('role'), 'alert');
  assert.match(view.text('[data-testid=row-error]'), /^Pull p1 \(nginx on worker-1\) could not be shown: .*toFixed/);

  view.rerender(row(4));
  assert.equal(view.text('[data-testid=cell]'), '4.0', 'the next update draws the row');
  assert.equal(view.container.querySelector('[data-testid=row-error]'), null);
});

test('in a table, the error is a row spanning the columns', (t) => {
  t.mock.method(console, 'error', () => {});
  const view = render(
    t,
    <table>
      <tbody>
        <RowErrorBoundary what="Pull p2" resetKey={1} as="tr" colSpan={7}>
          <tr>
            <td>
              <Cell value="text" />
            </td>
          </tr>
        </RowErrorBoundary>
      </tbody>
    </table>,
  );
  const error = view.get('tr[data-testid=row-error]');
  assert.equal(error.querySelector('td')?.getAttribute('colspan'), '7');
  assert.match(view.text('tr[data-testid=row-error] [role=alert]'), /^Pull p2 could not be shown: /);
});

test('a row that draws fine is left alone', (t) => {
  const view = render(
    t,
    <RowErrorBoundary what="Pull p3" resetKey={1}>
      <Cell value={2} />
    </RowErrorBoundary>,
  );
  assert.equal(view.text('[data-testid=cell]'), '2.0');
  assert.equal(view.container.querySelector('[data-testid=row-error]'), null);
});
