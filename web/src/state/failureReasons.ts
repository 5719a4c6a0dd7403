// The failure kinds and their labels are shared with the terminal (src/pulls).
export { FAILURE_REASON_LABELS, FAILURE_REASONS, failureReasonLabel } from '../../../src/pulls/index.js';
