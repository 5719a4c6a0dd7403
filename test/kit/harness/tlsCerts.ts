// Certificates for HTTPS tests, made with the machine's openssl: a CA, and a server certificate it
// signs for 127.0.0.1 and localhost, client certificates it signs. Real PEM files, as cert-manager would put in a Secret.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCa {
  certFile: string;
  keyFile: string;
}

export interface TestCert {
  certFile: string;
  keyFile: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makeCa(dir: string, name: string): TestCa {
  const ca = { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', ca.keyFile]);
  openssl(['req', '-x509', '-new', '-key', ca.keyFile, '-out', ca.certFile, '-days', '2', '-subj', `/CN=${name}`]);
  return ca;
}

/** A server certificate signed by `ca`, valid for 127.0.0.1, ::1 and localhost. */
export function issueServerCert(dir: string, ca: TestCa, name: string): TestCert {
  return issueCert(dir, ca, name, 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
}

/** A client certificate signed by `ca` (TLS client authentication), for the subject CN=`name`. */
export function issueClientCert(dir: string, ca: TestCa, name: string): TestCert {
  return issueCert(dir, ca, name, 'extendedKeyUsage=clientAuth\n');
}

function issueCert(dir: string, ca: TestCa, name: string, extensions: string): TestCert {
  const cert = { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', cert.keyFile]);
  openssl(['req', '-new', '-key', cert.keyFile, '-out', csr, '-subj', `/CN=${name}`]);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-CAcreateserial',
    '-out',
    cert.certFile,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return cert;
}
