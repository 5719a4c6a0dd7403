// Table tests: NATS client errors as problems a person can act on, and which of them retrying cannot fix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeNatsError } from './connectNats.js';

const natsError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

test('settings that can never work are told apart from an outage', () => {
  const cases: Array<[Error, boolean, RegExp]> = [
    [
      natsError('Authorization Violation', 'AUTHORIZATION_VIOLATION'),
      true,
      /NATS refused the credentials \(Authorization Violation\); check/,
    ],
    [natsError('503'), true, /JetStream is not enabled/],
    [natsError('tls', 'SERVER_OPT_NA'), true, /does not offer TLS/],
    [
      natsError('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
      true,
      /certificate is not trusted.*PULLTRACE_BUS_CA_FILE/,
    ],
    [natsError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'), true, /not trusted/],
    [natsError("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'), true, /not trusted/],
    [natsError('CONNECTION_REFUSED', 'CONNECTION_REFUSED'), false, /^CONNECTION_REFUSED$/],
    [natsError('TIMEOUT', 'TIMEOUT'), false, /^TIMEOUT$/],
  ];
  for (const [err, setting, reason] of cases) {
    const problem = describeNatsError(err);
    assert.equal(problem.setting, setting, err.message);
    assert.match(problem.reason, reason, err.message);
  }
});
