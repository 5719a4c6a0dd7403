export { formatDuration, parseDuration, parseDurationSeconds } from './goDuration.js';
