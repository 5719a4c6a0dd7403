// The secret parts of the values a command was given (flags and PULLTRACE_* variables), so a
// message about them can be shown without them: a URL's password, a token given as a URL's user
// (nats://token@host), libpq's `password`, `sslpassword` and `sslkey` parameters, and the values of
// settings marked secret. Libraries may quote what they were given in an error; masking the known
// values catches that wherever it appears.
import { MASKED } from '../common/index.js';

const SECRET_PARAMS = new Set(['password', 'sslpassword', 'sslkey']);
/** Shorter values are not masked: hiding two letters everywhere would garble the message and hide nothing. */
const MIN_SECRET_CHARS = 3;

/** The secret parts of `values` (URLs are looked into; `secretValues` are secret as a whole). */
export function secretsOf(values: Iterable<string>, secretValues: Iterable<string> = []): string[] {
  const out = new Set<string>();
  const add = (s: string) => {
    if (s.length >= MIN_SECRET_CHARS) out.add(s);
  };
  for (const value of secretValues) add(value);
  for (const value of values) {
    if (!/^[a-z][a-z0-9+.-]{0,31}:\/\//i.test(value)) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      // Unparsable: the part between :// and @ may still be credentials.
      const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(value)?.[1];
      if (userinfo) add(userinfo);
      continue;
    }
    if (url.password) {
      add(url.password);
      add(safeDecode(url.password));
    } else if (url.username) {
      add(url.username);
      add(safeDecode(url.username));
    }
    for (const [key, v] of url.searchParams) if (SECRET_PARAMS.has(key.toLowerCase())) add(v);
    for (const pair of url.search.slice(1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq > 0 && SECRET_PARAMS.has(safeDecode(pair.slice(0, eq)).toLowerCase())) add(pair.slice(eq + 1));
    }
  }
  // Longest first, so a secret that contains another is masked whole.
  return [...out].sort((a, b) => b.length - a.length);
}

/** `text` with every occurrence of every secret replaced by `***`. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(MASKED);
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
