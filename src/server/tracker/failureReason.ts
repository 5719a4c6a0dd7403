// Turns a failed pull's error text (kubelet's event or pod status message, containerd's CRI error,
// the agent's own reason) into one of the fixed failure kinds, so a dashboard or an alert can tell
// rate-limited from denied from not-found without parsing text. Rules are tried in order: the
// first that matches wins, so the more specific kinds come first (a 504 is a registry error, not a
// timeout; "cancel pulling image … because of no progress" is a timeout, not a cancellation).
import type { FailureReason } from '../../model/index.js';

const RULES: Array<[FailureReason, RegExp]> = [
  [
    'invalid_reference',
    /InvalidImageName|invalid reference format|Failed to apply default image tag|(?:couldn't|failed to|unable to) parse (?:image )?reference|repository name must be (?:lowercase|canonical)/i,
  ],
  ['no_space', /no space left on device|disk quota exceeded/i],
  ['rate_limited', /\b429\b|too ?many ?requests|rate limit/i],
  [
    'auth',
    /\b401\b|\b403 Forbidden|unauthorized|authentication required|pull access denied|access (?:to the resource )?is denied|access denied|insufficient_scope|authorization failed|no basic auth credentials|failed to fetch (?:anonymous|oauth) token|code = (?:PermissionDenied|Unauthenticated)/i,
  ],
  ['tls', /x509:|\btls: |certificate (?:signed by unknown authority|has expired|is not valid)|server gave HTTP response to HTTPS client/i],
  ['registry_error', /\b5\d\d (?:[A-Z][a-z]+)(?: [A-Z][a-z]+)*|unexpected status(?: code)?(?: from [A-Z]+ request)?(?: to [^:]+)?: 5\d\d/],
  [
    'not_found',
    /: not found\b|\bnot found$|manifest unknown|name unknown|blob unknown|\b404\b|code = NotFound|no match for platform|is not present with pull policy of Never|ErrImageNeverPull/i,
  ],
  [
    'timeout',
    /i\/o timeout|deadline exceeded|DeadlineExceeded|because of no progress|handshake timeout|Client\.Timeout|timed out|\btimeout\b/i,
  ],
  [
    'network',
    /connection refused|connection reset|no such host|network is unreachable|no route to host|broken pipe|unexpected EOF|\bEOF$|server misbehaving|dial tcp|temporary failure in name resolution|connection closed/i,
  ],
  ['cancelled', /context canceled|code = Canceled/i],
  ['agent_lost', /stopped reporting this pull/i],
];

/** The kind of a pull failure from its error text; `unknown` when no rule matches. */
export function classifyFailure(text: string | undefined): FailureReason {
  if (!text) return 'unknown';
  for (const [reason, pattern] of RULES) if (pattern.test(text)) return reason;
  return 'unknown';
}

/**
 * The reason to keep when a new text arrives for an already failed pull: a specific kind wins
 * over `unknown` (a bare `Back-off pulling image` never erases why it failed).
 */
export function refineFailure(current: FailureReason | undefined, text: string | undefined): FailureReason {
  const next = classifyFailure(text);
  return next === 'unknown' && current ? current : next;
}
