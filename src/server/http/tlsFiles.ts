// HTTPS on the API port from PEM files (PULLTRACE_TLS_CERT_FILE / PULLTRACE_TLS_KEY_FILE). The
// files are watched and loaded again when they change (cert-manager renews a Secret by swapping
// the volume's symlinks), through the listener's setSecureContext: open connections keep their
// session, new ones get the new certificate, nothing restarts. A half-written pair (the certificate
// renewed, the key not yet) is skipped until both match.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Logger } from '../../log/index.js';

export interface TlsPair {
  cert: string;
  key: string;
}

/** Reads and checks a certificate and its key; the error names the file and what is wrong. */
export function readTlsPair(certFile: string, keyFile: string): TlsPair {
  const read = (path: string, setting: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${setting} ${path}: ${(err as Error).message}`);
    }
  };
  const pair = { cert: read(certFile, 'PULLTRACE_TLS_CERT_FILE'), key: read(keyFile, 'PULLTRACE_TLS_KEY_FILE') };
  try {
    createSecureContext(pair);
  } catch (err) {
    throw new Error(
      `PULLTRACE_TLS_CERT_FILE ${certFile} and PULLTRACE_TLS_KEY_FILE ${keyFile} are not a usable PEM certificate and key: ${(err as Error).message}`,
    );
  }
  return pair;
}

/** Calls `apply` with the new pair whenever either file changes into a valid pair; returns a stop function. */
export function watchTlsPair(
  certFile: string,
  keyFile: string,
  apply: (pair: TlsPair) => void,
  log: Logger,
  intervalMs = 2_000,
): () => void {
  const reload = () => {
    try {
      apply(readTlsPair(certFile, keyFile));
      log.info({ certFile }, 'TLS certificate loaded again');
    } catch (err) {
      log.warn({ reason: (err as Error).message }, 'TLS files changed but are not a usable pair yet; keeping the current certificate');
    }
  };
  // stat polling follows symlinks, which is how Secret volumes change (fs.watch would lose the file)
  watchFile(certFile, { interval: intervalMs, persistent: false }, reload);
  watchFile(keyFile, { interval: intervalMs, persistent: false }, reload);
  return () => {
    unwatchFile(certFile, reload);
    unwatchFile(keyFile, reload);
  };
}
