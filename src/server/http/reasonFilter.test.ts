import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReasonList } from './reasonFilter.js';

test('a failure kind, or several comma-separated, in the model order without duplicates', () => {
  assert.deepEqual(parseReasonList('auth'), ['auth']);
  assert.deepEqual(parseReasonList('rate_limited, auth,rate_limited'), ['auth', 'rate_limited']);
});

test('an unknown kind is refused by name, with the allowed ones listed', () => {
  assert.throws(
    () => parseReasonList('auth,forbidden'),
    (err: Error) => err.message.includes('"forbidden"') && err.message.includes('rate_limited') && err.message.includes('"reason"'),
  );
  assert.throws(() => parseReasonList('auth,'), /an empty value/);
  // A status word is not a failure kind.
  assert.throws(() => parseReasonList('failed'), /"failed"/);
  // What cannot be shown safely is masked, and a long value is cut.
  assert.throws(
    () => parseReasonList(`x<script>${'y'.repeat(100)}`),
    (err: Error) => !err.message.includes('<') && err.message.length < 400,
  );
});
