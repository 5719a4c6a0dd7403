// A connection URL as it may be shown in logs and errors: the userinfo (a password, or a NATS
// token given as the user name) and the query parameters that carry a credential or a key
// (libpq's `password`, `sslpassword`, `sslkey`) become `***`; scheme, host, port, path and the
// other parameters stay, so a person can still tell which server was meant.

export const MASKED = '***';

/** Query parameters whose value is never shown (compared case-insensitively). */
const SECRET_PARAMS = new Set(['password', 'sslpassword', 'sslkey']);

/** `url` with its userinfo and secret query parameters masked; text that is no URL shows as its scheme only. */
export function maskUrlSecrets(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]{0,31}):/i.exec(url)?.[1];
  const unparsable = scheme ? `${scheme}://(unparsable)` : '(unparsable)';
  // Without `//` there is no host to show, only text a secret may be part of (`user:pw@host`).
  if (!/^[a-z][a-z0-9+.-]{0,31}:\/\//i.test(url)) return unparsable;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return unparsable;
  }
  if (parsed.username || parsed.password) {
    parsed.password = '';
    parsed.username = MASKED;
  }
  if (parsed.search) parsed.search = maskParams(parsed.search.slice(1));
  return parsed.toString();
}

function maskParams(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      return SECRET_PARAMS.has(decodeKey(key).toLowerCase()) ? `${key}=${MASKED}` : pair;
    })
    .join('&');
}

function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}
