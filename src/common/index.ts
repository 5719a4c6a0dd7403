export { formatDuration, parseDuration, parseDurationSeconds } from './goDuration.js';
export { MASKED, maskUrlSecrets } from './maskUrlSecrets.js';
export { isPostgresUrl, postgresUrlProblem, redactPostgresUrl } from './postgresUrl.js';
export { hasUnprintable, printable } from './printable.js';
export { REDACTED, redactOptional, redactSecrets } from './redact.js';
