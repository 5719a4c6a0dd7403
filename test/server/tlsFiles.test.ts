// readTlsPair / watchTlsPair on real PEM files made by openssl: clear errors for a missing file or
// a key that does not match, and a renewal applied only once the pair is whole again.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/log/index.js';
import { readTlsPair, type TlsPair, watchTlsPair } from '../../src/server/http/tlsFiles.js';
import { issueServerCert, makeCa, waitFor } from '../kit/index.js';

test('TLS files: clear errors, and a renewal is applied once cert and key match again', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pt-tlsfiles-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ca = makeCa(dir, 'ca');
  const first = issueServerCert(dir, ca, 'first');
  const second = issueServerCert(dir, ca, 'second');

  assert.throws(() => readTlsPair(join(dir, 'missing.crt'), first.keyFile), /cannot read PULLTRACE_TLS_CERT_FILE .*missing\.crt: ENOENT/);
  assert.throws(() => readTlsPair(first.certFile, second.keyFile), /are not a usable PEM certificate and key/);
  writeFileSync(join(dir, 'garbage.pem'), 'not a certificate');
  assert.throws(() => readTlsPair(join(dir, 'garbage.pem'), first.keyFile), /not a usable PEM certificate and key/);

  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  copyFileSync(first.certFile, certFile);
  copyFileSync(first.keyFile, keyFile);
  const applied: TlsPair[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', { write: (s: string) => lines.push(JSON.parse(s)) } as never);
  const stop = watchTlsPair(certFile, keyFile, (pair) => applied.push(pair), logger, 50);
  t.after(stop);

  // the certificate is renewed first: the pair does not match, nothing is applied
  copyFileSync(second.certFile, certFile);
  await waitFor(() => lines.some((l) => l.msg === 'TLS files changed but are not a usable pair yet; keeping the current certificate'), {
    timeoutMs: 10_000,
    what: 'the half-renewed pair to be noticed',
  });
  assert.equal(applied.length, 0);
  // then its key: the new pair is applied
  copyFileSync(second.keyFile, keyFile);
  await waitFor(() => applied.length > 0, { timeoutMs: 10_000, what: 'the renewed pair to be applied' });
  assert.match(applied.at(-1)?.cert ?? '', /BEGIN CERTIFICATE/);
});
