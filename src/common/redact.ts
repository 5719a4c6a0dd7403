// Removes secrets from free error text before it is stored, logged, served or shown. Registry
// errors quote the URL that failed, and blob downloads are redirected to pre-signed URLs (S3/ECR,
// GCS, Azure Blob, Docker Hub's CDN) whose query string is a bearer credential for minutes or hours;
// auth failures can echo tokens. The text stays readable (host and path are what a person needs);
// every query string, userinfo and token-like fragment becomes `<redacted>`.

export const REDACTED = '<redacted>';

// scheme://[userinfo@]host[/path][?query][#fragment]; a URL ends at whitespace or a quote (Go's %q).
// Every repetition that could rescan the text from many starting points is bounded (a scheme is
// short), so the cost stays linear in the text whatever it holds.
const URL_PATTERN =
  /\b([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s"'<>`/?#@]*@)?([^\s"'<>`?#]*)(\?(?:<redacted>|[^\s"'<>`#]*))?(#(?:<redacted>|[^\s"'<>`]*))?/gi;

// Authorization schemes followed by their credential.
const AUTH_SCHEME_PATTERN = /\b(Bearer|Basic)(\s{1,8})[A-Za-z0-9\-._~+/]+=*/g;

// Parameters whose value is a credential, wherever they stand (a URL already lost its query above;
// these catch fragments outside URLs, e.g. a form echoed in a message). Only `key=value`: `token: …`
// is how containerd starts an explanation ("failed to fetch anonymous token: unexpected status").
const SECRET_KEYS = [
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'api_key',
  'apikey',
  'sig',
  'signature',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'x-goog-signature',
  'x-goog-credential',
  'googleaccessid',
];
const KEY_VALUE_PATTERN = new RegExp(`(^|[^A-Za-z0-9_.-])(${SECRET_KEYS.join('|')})(\\s{0,8}=\\s{0,8})("[^"]*"|[^\\s&"',;]+)`, 'gi');
// The same keys as JSON members: {"token":"…"} in an echoed response body.
const JSON_MEMBER_PATTERN = new RegExp(`("(?:${SECRET_KEYS.join('|')})"\\s{0,8}:\\s{0,8})"(?:[^"\\\\]|\\\\.)*"`, 'gi');

/** The text with URL query strings and userinfo, authorization credentials and token-like parameters replaced by `<redacted>`. */
export function redactSecrets(text: string): string {
  if (text === '') return text;
  return text
    .replace(URL_PATTERN, (_m, scheme: string, userinfo?: string, rest?: string, query?: string, fragment?: string) => {
      // An unquoted URL is often followed by `: 401 Unauthorized` or a full stop: keep that punctuation.
      const tail = /[.,:;)\]]+$/.exec(fragment ?? query ?? '')?.[0] ?? '';
      const q = query !== undefined ? `?${REDACTED}` : '';
      // A fragment can carry a token too (OAuth implicit flow).
      const f = fragment !== undefined ? `#${REDACTED}` : '';
      return `${scheme}${userinfo ? `${REDACTED}@` : ''}${rest ?? ''}${q}${f}${tail}`;
    })
    .replace(AUTH_SCHEME_PATTERN, (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(JSON_MEMBER_PATTERN, (_m, key: string) => `${key}"${REDACTED}"`)
    .replace(KEY_VALUE_PATTERN, (m, before: string, key: string, sep: string, value: string) =>
      value === REDACTED || value === `"${REDACTED}"` ? m : `${before}${key}${sep}${REDACTED}`,
    );
}

/** `redactSecrets` for optional text. */
export function redactOptional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : redactSecrets(text);
}
