// The shared report log on a NATS that insists on credentials or TLS: real nats-server processes
// with an `authorization` block (user and password limited to the subjects docs/security.md lists,
// and a token), with an operator and account (a user's `.creds` file), and with TLS from an
// openssl-made CA (client certificates required). Replicas connect and share reports through each;
// wrong credentials or an untrusted server stop the start with a message naming what to fix; no
// credential ever appears in what the server prints or serves.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PullStatus } from '../../src/model/index.js';
import {
  getJson,
  issueClientCert,
  issueServerCert,
  layer,
  MiB,
  makeCa,
  makeNatsJwtAuth,
  type NatsHandle,
  type PulltraceProcess,
  postReport,
  pullEntry,
  runPulltrace,
  startNats,
  startPulltrace,
  TEST_SERVER_FLAGS,
  waitFor,
} from '../kit/index.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pulltrace-nats-auth-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The subjects docs/security.md says a replica of cluster `cluster` needs, as nats-server permissions. */
function replicaPermissions(cluster: string): string {
  const publish = [
    `pulltrace.${cluster}.>`,
    '$JS.API.INFO',
    '$JS.API.STREAM.INFO.PULLTRACE_REPORTS',
    '$JS.API.STREAM.CREATE.PULLTRACE_REPORTS',
    '$JS.API.STREAM.UPDATE.PULLTRACE_REPORTS',
    '$JS.API.CONSUMER.CREATE.PULLTRACE_REPORTS.>',
    '$JS.API.CONSUMER.INFO.PULLTRACE_REPORTS.>',
    '$JS.API.CONSUMER.MSG.NEXT.PULLTRACE_REPORTS.>',
    '$JS.API.CONSUMER.DELETE.PULLTRACE_REPORTS.>',
  ];
  return `{ publish: { allow: ${JSON.stringify(publish)} }, subscribe: { allow: ["_INBOX.>"] } }`;
}

const serverArgs = (bus: string, cluster: string) => [
  'server',
  ...TEST_SERVER_FLAGS,
  '--db',
  ':memory:',
  '--bus',
  bus,
  '--cluster',
  cluster,
  '--log-level',
  'debug',
];

/** Everything a server printed and served that could carry a credential. */
async function everythingShown(server: PulltraceProcess): Promise<string> {
  const readyz = await (await fetch(`${server.baseUrl}/readyz`)).text();
  const metrics = await (await fetch(server.metricsUrl)).text();
  return [server.proc.stdout(), server.proc.stderr(), readyz, metrics].join('\n');
}

function assertNoSecret(where: string, text: string, secrets: string[]): void {
  for (const secret of secrets) assert.ok(!text.includes(secret), `${where} shows a credential (${secret.slice(0, 4)}…)`);
}

/**
 * Two replicas of `cluster` on `bus`: a report accepted by A is applied by B from the log, under the
 * same id; both say the log is in sync; neither shows a secret.
 */
async function replicasShareThroughTheLog(
  t: { after: (fn: () => Promise<void>) => void },
  bus: string,
  cluster: string,
  env: NodeJS.ProcessEnv,
  secrets: string[],
) {
  const a = await startPulltrace(serverArgs(bus, cluster), { env });
  t.after(() => a.stop());
  const b = await startPulltrace(serverArgs(bus, cluster), { env });
  t.after(() => b.stop());
  for (const s of [a, b]) assert.match(await (await fetch(`${s.baseUrl}/readyz`)).text(), /report log: NATS JetStream in sync/);

  const report = {
    nodeName: 'node-1',
    pulls: [pullEntry(`127.0.0.1/app/${cluster}:1`, `sha256:${cluster}`, [layer(`sha256:l-${cluster}`, 4 * MiB, MiB)])],
  };
  assert.equal((await postReport(a.baseUrl, report)).status, 200);
  const onB = await waitFor(
    async () => (await getJson<{ pulls: PullStatus[] }>(`${b.baseUrl}/api/v1/pulls?cluster=${cluster}`)).body.pulls[0],
    { timeoutMs: 10_000, what: `the pull accepted by A on B (cluster ${cluster})` },
  );
  const onA = (await getJson<{ pulls: PullStatus[] }>(`${a.baseUrl}/api/v1/pulls?cluster=${cluster}`)).body.pulls[0];
  assert.equal(onB.id, onA?.id, 'the same pull on both replicas');
  assert.equal(onB.downloadedBytes, MiB);
  for (const [name, s] of [
    ['A', a],
    ['B', b],
  ] as const)
    assertNoSecret(`replica ${name}`, await everythingShown(s), secrets);
  return { a, b };
}

/** A server given credentials NATS refuses, or a server it cannot trust, stops at start with `reason`. */
async function refusedAtStart(bus: string, env: NodeJS.ProcessEnv, reason: RegExp, secrets: string[]): Promise<void> {
  const r = await runPulltrace(serverArgs(bus, 'c-refused'), env);
  assert.equal(r.code, 1, `exit code 1 for a bus it cannot use:\n${r.stderr}`);
  assert.match(r.stderr, reason);
  assertNoSecret('the refused start', r.stdout + r.stderr, secrets);
}

describe('user and password, limited to the documented subjects', () => {
  const password = 'pa:ss/w@rd-7f3kq9';
  let nats: NatsHandle;
  before(async () => {
    nats = await startNats({
      config: `authorization {\n  users: [\n    { user: pulltrace, password: "${password}", permissions: ${replicaPermissions('c-userpass')} }\n  ]\n}\n`,
      probe: { user: 'pulltrace', pass: password },
    });
  });
  after(() => nats?.close());

  test('replicas share reports through NATS with nats://user:password@host', async (t) => {
    const bus = `nats://pulltrace:${encodeURIComponent(password)}@127.0.0.1:${nats.port}`;
    const { a } = await replicasShareThroughTheLog(t, bus, 'c-userpass', {}, [password, encodeURIComponent(password)]);
    const listening = a.logs().find((l) => l.msg === 'listening');
    assert.ok(listening);
  });

  test('a wrong password stops the start with a message naming the setting, without the password', async () => {
    const wrong = 'wrong-pw-5xq2';
    await refusedAtStart(
      `nats://pulltrace:${wrong}@127.0.0.1:${nats.port}`,
      {},
      /PULLTRACE_BUS nats:\/\/\*\*\*@127\.0\.0\.1:\d+: NATS refused the credentials \(Authorization Violation\); check the user and password or token in PULLTRACE_BUS/,
      [wrong, password],
    );
  });
});

test('credentials changed on NATS while a replica runs: the replica says NATS refused them, without the password', async (t) => {
  const config = (password: string) => `authorization {\n  users: [{ user: pulltrace, password: "${password}" }]\n}\n`;
  const [before, after] = ['pw-before-3kd8', 'pw-after-7hq2'];
  const nats = await startNats({ config: config(before), probe: { user: 'pulltrace', pass: before } });
  t.after(() => nats.close());
  const server = await startPulltrace(serverArgs(`nats://pulltrace:${before}@127.0.0.1:${nats.port}`, 'c-rotated'));
  t.after(() => server.stop());
  assert.match(await (await fetch(`${server.baseUrl}/readyz`)).text(), /in sync/);

  nats.reconfigure(config(after), { user: 'pulltrace', pass: after });
  await nats.stop();
  await nats.start();
  const refused = await waitFor(
    () =>
      server
        .logs()
        .find(
          (l) =>
            l.msg ===
            "NATS refused this server's credentials; check the user and password or token in PULLTRACE_BUS, or PULLTRACE_BUS_CREDS_FILE",
        ),
    {
      timeoutMs: 20_000,
      what: 'the refusal of the old password to be logged',
    },
  );
  assert.equal(refused.level, 'error');
  assert.equal(refused.bus, `nats://***@127.0.0.1:${nats.port}`);
  assertNoSecret('the replica', await everythingShown(server), [before, after]);
});

describe('token', () => {
  const token = 'tok-9d8c7b6a5f4e3d2c1b0a';
  let nats: NatsHandle;
  before(async () => {
    nats = await startNats({ config: `authorization {\n  token: "${token}"\n}\n`, probe: { token } });
  });
  after(() => nats?.close());

  test('replicas share reports through NATS with nats://token@host', async (t) => {
    await replicasShareThroughTheLog(t, `nats://${token}@127.0.0.1:${nats.port}`, 'c-token', {}, [token]);
  });

  test('a wrong token, or none, stops the start without showing the token', async () => {
    const wrong = 'tok-wrong-0000';
    await refusedAtStart(`nats://${wrong}@127.0.0.1:${nats.port}`, {}, /NATS refused the credentials/, [wrong, token]);
    await refusedAtStart(nats.url, {}, /NATS refused the credentials/, [token]);
  });
});

describe('.creds file (operator, account and user JWTs, nkey seed)', () => {
  const auth = makeNatsJwtAuth();
  const seedOf = (creds: string) => /-----BEGIN USER NKEY SEED-----\n(\S+)/.exec(creds)?.[1] as string;
  let nats: NatsHandle;
  let credsFile: string;
  before(async () => {
    credsFile = join(dir, 'pulltrace.creds');
    writeFileSync(credsFile, auth.creds, { mode: 0o600 });
    const { credsAuthenticator } = await import('nats');
    nats = await startNats({
      config: `${auth.serverConfig}\n`,
      probe: { authenticator: credsAuthenticator(new TextEncoder().encode(auth.creds)) },
    });
  });
  after(() => nats?.close());

  test('replicas share reports through NATS with PULLTRACE_BUS_CREDS_FILE', async (t) => {
    await replicasShareThroughTheLog(t, nats.url, 'c-creds', { PULLTRACE_BUS_CREDS_FILE: credsFile }, [seedOf(auth.creds)]);
  });

  test('a user the operator did not sign stops the start without showing the seed; a file that is no .creds is named', async () => {
    const foreign = join(dir, 'foreign.creds');
    writeFileSync(foreign, auth.foreignCreds, { mode: 0o600 });
    await refusedAtStart(nats.url, { PULLTRACE_BUS_CREDS_FILE: foreign }, /NATS refused the credentials/, [seedOf(auth.foreignCreds)]);
    const notCreds = join(dir, 'not.creds');
    writeFileSync(notCreds, 'password=hunter2-not-creds\n');
    await refusedAtStart(
      nats.url,
      { PULLTRACE_BUS_CREDS_FILE: notCreds },
      /PULLTRACE_BUS_CREDS_FILE .*not\.creds is not a NATS \.creds file/,
      ['hunter2-not-creds'],
    );
  });
});

describe('TLS with client certificates (openssl-made CA)', () => {
  let nats: NatsHandle;
  let plain: NatsHandle;
  let tlsEnv: NodeJS.ProcessEnv;
  before(async () => {
    const ca = makeCa(dir, 'nats-ca');
    const server = issueServerCert(dir, ca, 'nats-server');
    const client = issueClientCert(dir, ca, 'pulltrace-server');
    tlsEnv = { PULLTRACE_BUS_CA_FILE: ca.certFile, PULLTRACE_BUS_CERT_FILE: client.certFile, PULLTRACE_BUS_KEY_FILE: client.keyFile };
    nats = await startNats({
      config: `tls {\n  cert_file: "${server.certFile}"\n  key_file: "${server.keyFile}"\n  ca_file: "${ca.certFile}"\n  verify: true\n}\n`,
      probe: {
        tls: {
          ca: readFileSync(ca.certFile, 'utf8'),
          cert: readFileSync(client.certFile, 'utf8'),
          key: readFileSync(client.keyFile, 'utf8'),
        },
      },
      scheme: 'tls',
    });
    plain = await startNats();
  });
  after(async () => {
    await nats?.close();
    await plain?.close();
  });

  test('replicas share reports through tls:// with the CA, a client certificate and key', async (t) => {
    const key = readFileSync(tlsEnv.PULLTRACE_BUS_KEY_FILE as string, 'utf8').split('\n')[1] as string;
    await replicasShareThroughTheLog(t, nats.url, 'c-tls', tlsEnv, [key]);
  });

  test('a server the CA does not verify, or tls:// to a NATS without TLS, stops the start naming the fix', async () => {
    const { PULLTRACE_BUS_CA_FILE: _ca, ...withoutCa } = tlsEnv;
    const wrongCa = makeCa(dir, 'other-ca');
    await Promise.all([
      refusedAtStart(
        nats.url,
        { ...withoutCa, PULLTRACE_BUS_CA_FILE: wrongCa.certFile },
        /certificate is not trusted .*PULLTRACE_BUS_CA_FILE/,
        [],
      ),
      // The NATS client ignores the scheme: without this check tls:// would talk plain text.
      refusedAtStart(`tls://127.0.0.1:${plain.port}`, {}, /does not offer TLS/, []),
    ]);
  });
});
