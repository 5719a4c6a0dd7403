// NATS decentralized auth for tests, without `nsc`: an operator, an account with JetStream and a
// user, each an nkey (from the `nats` client's nkeys) and a JWT its issuer signs, in the format
// nats-server checks (header {"typ":"JWT","alg":"ed25519-nkey"}, claims with `nats.type` and
// `version: 2`, an ed25519 signature over `header.claims`). The server trusts the operator JWT and
// preloads the account JWTs (resolver MEMORY); the client gets a `.creds` file: the user JWT and seed.
import { createHash } from 'node:crypto';
import { nkeys } from 'nats';

type KeyPair = ReturnType<typeof nkeys.createOperator>;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

const b64url = (data: string | Uint8Array) => Buffer.from(data).toString('base64url');

/** A JWT of `subject` signed by `issuer`; `nats` holds the type-specific claims. */
function signJwt(issuer: KeyPair, subject: string, name: string, nats: Record<string, unknown>): string {
  const claims: Record<string, unknown> = {
    jti: '',
    iat: Math.floor(Date.now() / 1000),
    iss: issuer.getPublicKey(),
    name,
    sub: subject,
    nats,
  };
  // The JWT id is a hash of the claims without it (as the NATS JWT library makes it).
  claims.jti = base32(createHash('sha256').update(JSON.stringify(claims)).digest());
  const signed = `${b64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }))}.${b64url(JSON.stringify(claims))}`;
  return `${signed}.${b64url(issuer.sign(new TextEncoder().encode(signed)))}`;
}

export interface NatsJwtAuth {
  /** nats-server configuration lines that trust the operator and know the account */
  serverConfig: string;
  /** a `.creds` file's text for the user */
  creds: string;
  /** the text of a `.creds` file whose user the operator never signed (same format, another operator) */
  foreignCreds: string;
}

export function makeNatsJwtAuth(): NatsJwtAuth {
  const operator = nkeys.createOperator();
  const account = nkeys.createAccount();
  const operatorJwt = signJwt(operator, operator.getPublicKey(), 'pulltrace-test-operator', { type: 'operator', version: 2 });
  const accountJwt = signJwt(operator, account.getPublicKey(), 'pulltrace', {
    limits: {
      subs: -1,
      data: -1,
      payload: -1,
      imports: -1,
      exports: -1,
      wildcards: true,
      conn: -1,
      leaf: -1,
      mem_storage: -1,
      disk_storage: -1,
      streams: -1,
      consumer: -1,
    },
    default_permissions: { pub: {}, sub: {} },
    type: 'account',
    version: 2,
  });
  // JetStream needs a system account for its internal subscriptions.
  const system = nkeys.createAccount();
  const systemJwt = signJwt(operator, system.getPublicKey(), 'SYS', { type: 'account', version: 2 });
  const serverConfig = [
    `operator: ${operatorJwt}`,
    `system_account: ${system.getPublicKey()}`,
    'resolver: MEMORY',
    `resolver_preload: { ${account.getPublicKey()}: ${accountJwt}, ${system.getPublicKey()}: ${systemJwt} }`,
  ].join('\n');
  return { serverConfig, creds: userCreds(account), foreignCreds: userCreds(nkeys.createAccount()) };
}

function userCreds(account: KeyPair): string {
  const user = nkeys.createUser();
  const jwt = signJwt(account, user.getPublicKey(), 'pulltrace-server', {
    pub: {},
    sub: {},
    subs: -1,
    data: -1,
    payload: -1,
    type: 'user',
    version: 2,
  });
  const seed = new TextDecoder().decode(user.getSeed());
  return `-----BEGIN NATS USER JWT-----
${jwt}
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
${seed}
------END USER NKEY SEED------

*************************************************************
`;
}
