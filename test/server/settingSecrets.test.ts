// Connection secrets given in settings never reach the output: a real server on a real PostgreSQL
// whose URL carries a password in its userinfo and as `?password=` / `sslpassword` (libpq's
// parameters), one whose PostgreSQL cannot be reached, and a setting refused for its form. What is
// printed names the URL with `***` in their place.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort, runPulltrace, startPostgres, startPulltrace, TEST_SERVER_FLAGS } from '../kit/index.js';

const USERINFO_PW = 'ui-pw-4kd93';
const QUERY_PW = 'q-pw-8sj27';
const SSL_PW = 'ssl-pw-2mz61';
const SECRETS = [USERINFO_PW, QUERY_PW, SSL_PW];

function assertNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} shows ${secret}`);
}

test('a PostgreSQL URL with a password in userinfo, ?password= and sslpassword is logged masked', async (t) => {
  const postgres = await startPostgres();
  t.after(() => postgres.close());
  // The test server trusts every local connection, so any password is accepted.
  const db = `postgres://pulltrace:${USERINFO_PW}@127.0.0.1:${postgres.port}/postgres?password=${QUERY_PW}&sslpassword=${SSL_PW}&application_name=pulltrace-test`;
  const server = await startPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', db, '--log-level', 'debug']);
  t.after(() => server.stop());
  const listening = server.logs().find((l) => l.msg === 'listening');
  assert.equal(
    listening?.db,
    `postgres://***@127.0.0.1:${postgres.port}/postgres?password=***&sslpassword=***&application_name=pulltrace-test`,
  );
  await server.stop();
  assertNoSecret('the server output', server.proc.stdout() + server.proc.stderr());
});

test('a PostgreSQL that cannot be reached: the start-up error names the URL, masked', async () => {
  const port = await freePort();
  const db = `postgres://pulltrace:${USERINFO_PW}@127.0.0.1:${port}/postgres?password=${QUERY_PW}&sslpassword=${SSL_PW}`;
  const r = await runPulltrace(['server', ...TEST_SERVER_FLAGS, '--db', db, '--log-level', 'debug']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`postgres://\\*\\*\\*@127\\.0\\.0\\.1:${port}/postgres\\?password=\\*\\*\\*&sslpassword=\\*\\*\\*`));
  assertNoSecret('the refused start', r.stdout + r.stderr);
});

test('a setting refused for its form is quoted without the password it carries', async () => {
  const r = await runPulltrace(['agent', '--node-name', 'node-1', '--server-url', `ftp://agent:${USERINFO_PW}@pulltrace:8080`]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--server-url: "ftp:\/\/agent:\*\*\*@pulltrace:8080" must start with http:\/\/ or https:\/\//);
  assertNoSecret('the usage error', r.stdout + r.stderr);
});
