import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from './apiError.js';
import { parseFilter, parseLayers, parseLimit, parseTime, rejectUnknown } from './queryParams.js';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError);
    assert.equal(err.statusCode, 400);
    return err.message;
  }
  assert.fail('expected an error');
}

test('filters are read, empty ones ignored', () => {
  assert.deepEqual(parseFilter({ node: 'w1', image: '', status: 'failed' }), { node: 'w1', status: ['failed'] });
  assert.deepEqual(parseFilter({ status: 'stalled,pulling' }), { status: ['pulling', 'stalled'] });
});

test('errors name the parameter', () => {
  assert.match(
    message(() => rejectUnknown({ nod: 'x' }, ['node'])),
    /unknown query parameter "nod"/,
  );
  assert.match(
    message(() => parseFilter({ node: ['a', 'b'] })),
    /"node" is given more than once/,
  );
  assert.match(
    message(() => parseLayers({ layers: 'yes' })),
    /^query parameter "layers" must be 0, 1, false or true$/,
  );
  assert.match(
    message(() => parseFilter({ status: 'done' })),
    /^query parameter "status" has "done" \(allowed, comma-separated: pulling, stalled, .*active\)$/,
  );
  assert.match(
    message(() => parseLimit({ limit: '501' }, 500, 50)),
    /"limit" must be a whole number from 1 to 500/,
  );
  assert.match(
    message(() => parseLimit({ limit: '-1' }, 500, 50)),
    /"limit"/,
  );
  assert.match(
    message(() => parseTime({ since: 'yesterday' }, 'since')),
    /"since" must be an RFC 3339 time/,
  );
  assert.match(
    message(() => parseFilter({ image: 'x'.repeat(300) })),
    /"image" is longer than 256/,
  );
});

test('an unknown parameter name is not echoed raw', () => {
  assert.doesNotMatch(
    message(() => rejectUnknown({ '<script>': 'x' }, ['node'])),
    /<script>/,
  );
});

test('values parse', () => {
  for (const [text, want] of [
    ['0', false],
    ['false', false],
    ['1', true],
    ['true', true],
    ['', true],
  ] as const)
    assert.equal(parseLayers({ layers: text }), want, `layers=${text}`);
  for (const text of ['no', 'yes', 'TRUE', 'False', 'on', '2', ' 1', 'toString', 'constructor'])
    assert.throws(() => parseLayers({ layers: text }), ApiError, `layers=${text}`);
  assert.equal(parseLayers({}), true);
  assert.equal(parseLimit({}, 500, 50), 50);
  assert.equal(parseLimit({ limit: '500' }, 500, 50), 500);
  assert.equal(parseTime({ until: '2026-11-27T10:00:00Z' }, 'until'), Date.parse('2026-11-27T10:00:00Z'));
});
