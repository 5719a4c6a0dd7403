import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bearerTokenSource } from './bearerToken.js';
import { WatchUsageError } from './watchOptions.js';

const SECRET = 's3cr3t-Token.value_42';
const files: Record<string, string> = { '/t/ok': `${SECRET}\n`, '/t/empty': '\n', '/t/two': 'abc def\n', '/t/ctl': 'abc\x1bdef' };
const readFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
  return text;
};

test('no token configured: no source', () => {
  assert.equal(bearerTokenSource({}, readFile), undefined);
  assert.equal(bearerTokenSource({ envToken: '' }, readFile), undefined, 'an empty PULLTRACE_TOKEN is unset');
});

test('--token-file wins over PULLTRACE_TOKEN; the final newline is not part of the token; read again each time', () => {
  const source = bearerTokenSource({ tokenFile: '/t/ok', envToken: 'from-env' }, readFile);
  assert.equal(source?.(), SECRET);
  files['/t/ok'] = 'rotated\n';
  assert.equal(source?.(), 'rotated');
  files['/t/ok'] = `${SECRET}\n`;
  assert.equal(bearerTokenSource({ envToken: ` ${SECRET} ` }, readFile)?.(), SECRET);
});

for (const [settings, message] of [
  [{ tokenFile: '/t/missing' }, /^--token-file: cannot read "\/t\/missing" \(ENOENT\)$/],
  [{ tokenFile: '/t/empty' }, /^--token-file: the token in "\/t\/empty" is empty$/],
  [{ tokenFile: '/t/two' }, /^--token-file: the token in "\/t\/two" has a character a bearer token cannot have/],
  [{ tokenFile: '/t/ctl' }, /has a character a bearer token cannot have/],
  [{ envToken: 'abc\ndef' }, /^PULLTRACE_TOKEN has a character a bearer token cannot have/],
] as Array<[Parameters<typeof bearerTokenSource>[0], RegExp]>) {
  test(`bad token: ${JSON.stringify(settings)}`, () => {
    assert.throws(
      () => bearerTokenSource(settings, readFile)?.(),
      (err: unknown) => err instanceof WatchUsageError && message.test(err.message) && !err.message.includes('abc'),
    );
  });
}
