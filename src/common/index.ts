export { formatDuration, parseDuration, parseDurationSeconds } from './goDuration.js';
export { hasUnprintable, printable } from './printable.js';
export { MASKED, maskUrlSecrets } from './maskUrlSecrets.js';
export { REDACTED, redactOptional, redactSecrets } from './redact.js';
