export { formatDuration, parseDuration, parseDurationSeconds } from './goDuration.js';
export { hasUnprintable, printable } from './printable.js';
export { REDACTED, redactOptional, redactSecrets } from './redact.js';
