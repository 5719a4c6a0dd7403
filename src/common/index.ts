export { formatDuration, parseDuration, parseDurationSeconds } from './goDuration.js';
export { REDACTED, redactOptional, redactSecrets } from './redact.js';
