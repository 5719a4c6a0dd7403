// Rules about pulls shared by the server, the history store, the web UI and the terminal (pure
// code, no Node or DOM APIs, model types only: the web bundle imports this).
export { clusterOf, DEFAULT_CLUSTER } from './cluster.js';
export { FAILURE_REASON_LABELS, FAILURE_REASONS, failureReasonLabel } from './failureReasonLabels.js';
export { FINISHED_STATES, isFinished } from './finished.js';
export { formatBytes, formatDuration, formatRate } from './format.js';
export {
  type GroupOutcome,
  type GroupProgress,
  type GroupProgressInput,
  groupProgress,
  outcomeOf,
  worseOutcome,
} from './groupProgress.js';
export { isStaleUpdate, type MergeableLayer, type MergeablePull, mergeLayer, mergePull } from './mergePull.js';
export {
  containsText,
  FILTER_KEYS,
  type FilterablePull,
  isEmptyFilter,
  matchesFilter,
  type PullFilter,
  type PullFilterWords,
} from './pullFilter.js';
export { ACTIVE_STATES, matchesStatusWords, PULL_STATES, parseStatusList, STATUS_WORDS } from './statusFilter.js';
