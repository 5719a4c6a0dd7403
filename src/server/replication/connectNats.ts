// The first connection to NATS, and why NATS could not be used, in words a person can act on.
// Until NATS answers the server retries (an outage heals by itself); a setting that can never work
// (credentials NATS refuses, a certificate the CA does not verify, TLS asked of a server without
// it) ends the attempts at once with its reason, instead of looking like an outage. Each attempt
// is one plain connect, so a stopped server is not held by a client retrying in the background.
import { type ConnectionOptions, connect, type NatsConnection } from 'nats';

export const CREDENTIALS_HINT = 'check the user and password or token in PULLTRACE_BUS, or PULLTRACE_BUS_CREDS_FILE';

const AUTH_CODES = new Set(['AUTHORIZATION_VIOLATION', 'AUTHENTICATION_EXPIRED', 'AUTHENTICATION_TIMEOUT', 'BAD_CREDS']);

export interface NatsProblem {
  /** true when retrying cannot help (a setting or a certificate is wrong) */
  setting: boolean;
  reason: string;
}

/** Whether a NATS client error code says the server refused the credentials. */
export function isNatsAuthCode(code: unknown): boolean {
  return typeof code === 'string' && AUTH_CODES.has(code);
}

/** An error of the NATS client (or of Node's TLS under it) as a problem; the client's text carries no credentials. */
export function describeNatsError(err: Error & { code?: string }): NatsProblem {
  const code = err.code ?? '';
  // NATS answers a JetStream request on a server without JetStream with a bare 503.
  if (err.message === '503') return { setting: true, reason: 'JetStream is not enabled on this NATS server (start it with -js)' };
  // The server's text comes quoted ('Authorization Violation').
  const text = err.message.replace(/^'(.*)'$/, '$1');
  if (isNatsAuthCode(code)) return { setting: true, reason: `NATS refused the credentials (${text}); ${CREDENTIALS_HINT}` };
  if (code === 'SERVER_OPT_NA' && err.message === 'tls') {
    return {
      setting: true,
      reason: 'the NATS server does not offer TLS, which tls:// or PULLTRACE_BUS_CA_FILE/CERT_FILE/KEY_FILE asks for',
    };
  }
  if (isTlsVerifyCode(code)) {
    return {
      setting: true,
      reason: `the NATS server's certificate is not trusted (${text}); PULLTRACE_BUS_CA_FILE names the CA that signed it`,
    };
  }
  return { setting: false, reason: text };
}

/** Node's codes for a peer certificate that does not verify (tls.connect's `err.code`). */
function isTlsVerifyCode(code: string): boolean {
  return code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /^(UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_SELF_SIGNED_|CERT_|HOSTNAME_MISMATCH)/.test(code);
}

/** Thrown when retrying cannot help; its message is the reason. */
export class NatsSettingError extends Error {}

/**
 * Connects with `options` (which keep reconnecting once connected), retrying every `retryMs`
 * while NATS does not answer and telling `onRetry` why; undefined when `stopped()` first.
 */
export async function connectWhenAnswered(
  options: ConnectionOptions,
  stopped: () => boolean,
  onRetry: (reason: string) => void,
  retryMs = 1_000,
): Promise<NatsConnection | undefined> {
  for (;;) {
    try {
      return await connect({ ...options, waitOnFirstConnect: false });
    } catch (err) {
      const problem = describeNatsError(err as Error & { code?: string });
      if (problem.setting) throw new NatsSettingError(problem.reason);
      if (stopped()) return undefined;
      onRetry(problem.reason);
      await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
      if (stopped()) return undefined;
    }
  }
}
