import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterQuery, parseWatchArgs, WatchUsageError } from './watchOptions.js';

test('defaults', () => {
  const o = parseWatchArgs([], {});
  assert.equal(o.server, 'http://127.0.0.1:8080');
  assert.equal(o.output, 'auto');
  assert.equal(o.untilDone, false);
  assert.deepEqual(o.filters, { node: '', image: '', namespace: '', pod: '', status: '' });
});

test('flags in both forms, env for the server, the flag wins', () => {
  const o = parseWatchArgs(['--server=http://a:1/', '--node', 'w1', '--status=failed', '--until-done', '--output', 'json'], {
    PULLTRACE_SERVER_URL: 'http://b:2',
  });
  assert.equal(o.server, 'http://a:1');
  assert.equal(o.filters.node, 'w1');
  assert.equal(o.filters.status, 'failed');
  assert.equal(o.untilDone, true);
  assert.equal(o.output, 'json');
  assert.equal(parseWatchArgs([], { PULLTRACE_SERVER_URL: 'https://b:2' }).server, 'https://b:2');
});

for (const [argv, env, message] of [
  [['--output', 'yaml'], {}, /--output: "yaml" is not an output \(one of: auto, plain, wide, json\)/],
  [['--status', 'done'], {}, /--status: "done" is not a status/],
  [['--status', 'failed,nope'], {}, /--status: "nope" is not a status/],
  [['--server', 'ftp://x'], {}, /--server: "ftp:\/\/x" must be an http/],
  [['--server', 'not a url'], {}, /--server: "not a url" is not a URL/],
  [[], { PULLTRACE_SERVER_URL: '::' }, /PULLTRACE_SERVER_URL: "::" is not a URL/],
  [['--nodes', 'x'], {}, /unknown flag --nodes/],
  [['--node'], {}, /--node needs a value/],
  [['--until-done=yes'], {}, /--until-done takes no value/],
  [['stray'], {}, /unexpected argument "stray"/],
  [['--pod', 'x'.repeat(300)], {}, /--pod: at most 256 characters/],
] as Array<[string[], NodeJS.ProcessEnv, RegExp]>) {
  test(`bad input: ${argv.join(' ') || JSON.stringify(env)}`, () => {
    assert.throws(
      () => parseWatchArgs(argv, env),
      (err: unknown) => err instanceof WatchUsageError && message.test(err.message),
    );
  });
}

test('--status takes a comma-separated list with active', () => {
  assert.equal(parseWatchArgs(['--status', 'failed,active'], {}).filters.status, 'failed,active');
});

test('extra flags of a wrapping command', () => {
  const o = parseWatchArgs(['--pulltrace-namespace', 'ops'], {}, [{ name: 'pulltrace-namespace', help: '' }]);
  assert.deepEqual(o.extra, { 'pulltrace-namespace': 'ops' });
});

test('filterQuery carries only set filters', () => {
  assert.equal(
    filterQuery({ node: 'w 1', image: '', namespace: 'ns', pod: '', status: 'failed' }),
    'node=w+1&namespace=ns',
    'status is filtered on the client',
  );
});

test('--cluster is parsed and sent to the server', () => {
  const o = parseWatchArgs(['--cluster', 'eu-1', '--node=w'], {});
  assert.equal(o.filters.cluster, 'eu-1');
  assert.equal(filterQuery(o.filters), 'node=w&cluster=eu-1');
});

test('--token-file and PULLTRACE_TOKEN are carried for the bearer token', () => {
  const o = parseWatchArgs(['--token-file', '/run/token'], { PULLTRACE_TOKEN: 'abc' });
  assert.equal(o.tokenFile, '/run/token');
  assert.equal(o.envToken, 'abc');
  assert.equal(parseWatchArgs([], {}).tokenFile, undefined);
});

test('a bad server URL is quoted without its credentials, and printable', () => {
  assert.throws(
    () => parseWatchArgs(['--server', 'ftp://alice:hunter2@host/x'], {}),
    (err: unknown) =>
      err instanceof WatchUsageError &&
      /"ftp:\/\/<redacted>@host\/x" must be an http/.test(err.message) &&
      !err.message.includes('hunter2'),
  );
  assert.throws(
    () => parseWatchArgs(['--output', 'a\x1b]2;x\x07'], {}),
    (err: unknown) => err instanceof WatchUsageError && err.message.includes('"a\\x1b]2;x\\x07"'),
  );
});

test('--since: an RFC 3339 time, or a duration meaning that long ago; --timeout: a positive duration', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const at = parseWatchArgs(['--until-done', '--since', '2026-01-01T11:30:00+01:00', '--timeout=1m30s'], {}, [], now);
  assert.equal(at.sinceMs, Date.parse('2026-01-01T10:30:00Z'));
  assert.equal(at.timeoutMs, 90_000);
  assert.equal(parseWatchArgs(['--until-done', '--since=10m'], {}, [], now).sinceMs, now - 600_000);
  const plain = parseWatchArgs(['--until-done'], {}, [], now);
  assert.equal(plain.sinceMs, undefined);
  assert.equal(plain.timeoutMs, undefined);
});

for (const [argv, message] of [
  [['--since', '10m'], /--since only applies with --until-done/],
  [['--timeout', '10s'], /--timeout only applies with --until-done/],
  [['--until-done', '--since', 'yesterday'], /--since: "yesterday" is neither an RFC 3339 time .* nor a duration meaning that long ago/],
  [['--until-done', '--since', '-5m'], /--since: "-5m" is neither/],
  [['--until-done', '--since', '2026-13-45T99:00:00Z'], /--since: "2026-13-45T99:00:00Z" is neither/],
  [['--until-done', '--timeout', '0s'], /--timeout: "0s" is not a positive duration/],
  [['--until-done', '--timeout', '10'], /--timeout: "10" is not a positive duration/],
  [['--until-done', '--timeout', '1000h'], /--timeout: "1000h" is not a positive duration below 24 days/],
  [['--until-done', '--timeout', '5s\x1b[2J'], /--timeout: "5s\\x1b\[2J" is not/],
] as const) {
  test(`rejects ${JSON.stringify(argv)}`, () => {
    assert.throws(
      () => parseWatchArgs(argv, {}),
      (err: unknown) => err instanceof WatchUsageError && message.test(err.message),
    );
  });
}
