// Rules about pulls shared by the server, the web UI and the terminal (pure code, no Node or DOM APIs).
export { FAILURE_REASON_LABELS, FAILURE_REASONS, failureReasonLabel } from './failureReasonLabels.js';
export {
  type GroupOutcome,
  type GroupProgress,
  type GroupProgressInput,
  groupProgress,
  outcomeOf,
  worseOutcome,
} from './groupProgress.js';
