import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeColors, NO_COLORS } from './colors.js';
import { paint } from './segments.js';

test('paint cuts across pieces with an ellipsis', () => {
  assert.equal(paint([['abc'], ['def']], NO_COLORS), 'abcdef');
  assert.equal(paint([['abc'], ['def']], NO_COLORS, 6), 'abcdef');
  assert.equal(paint([['abc'], ['def']], NO_COLORS, 5), 'abcd…');
  assert.equal(paint([['abc'], ['def']], NO_COLORS, 3), 'ab…');
  assert.equal(paint([['abc'], ['']], NO_COLORS, 3), 'abc');
});

test('paint colours pieces after cutting, and escapes in text are neutralised', () => {
  const c = makeColors(true);
  assert.equal(paint([['ab', 'red'], ['cd']], c, 3), `${c.red('ab')}…`);
  assert.equal(paint([['a\u001b[2Jb']], NO_COLORS), 'a\\x1b[2Jb');
});
