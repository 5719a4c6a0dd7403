// DNS rebinding guard for a server bound to loopback (`standalone` by default): a web page whose
// name an attacker points at 127.0.0.1 reaches the server from the user's browser, with its own
// name in the Host header. Only the loopback names (and PULLTRACE_ALLOWED_HOSTS) are answered;
// any other Host gets 421 before anything else runs. Bound to another address, nothing is checked.
import type { FastifyInstance } from 'fastify';
import { apiError } from './apiError.js';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** The host of a Host header, lowercased, without its port (`[::1]:8080` → `[::1]`); '' when absent. */
export function hostOfHeader(header: string | undefined): string {
  const h = (header ?? '').trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  return (colon === -1 ? h : h.slice(0, colon)).replace(/\.$/, '');
}

/** The Host names a server bound to `boundHost` answers: the loopback names, the bound address, the extra ones. */
export function allowedHostNames(boundHost: string, extra: readonly string[]): ReadonlySet<string> {
  const bound = boundHost.includes(':') ? `[${boundHost.toLowerCase()}]` : boundHost.toLowerCase();
  return new Set([...LOOPBACK_NAMES, ...(bound ? [bound] : []), ...extra]);
}

/** Refuses (421) every request whose Host is not one of `allowed`. */
export function registerHostCheck(app: FastifyInstance, allowed: ReadonlySet<string>): void {
  app.addHook('onRequest', async (req) => {
    if (allowed.has(hostOfHeader(req.headers.host))) return;
    throw apiError('host_not_allowed');
  });
}
