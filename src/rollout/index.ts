// Rollout figures shared by the web UI and the terminal view (pure code, no Node or DOM APIs).
export {
  compareHoldingUp,
  DEFAULT_LIST_LIMIT,
  percentile,
  type RolloutBucket,
  type RolloutNodeRef,
  type RolloutPull,
  type RolloutSummary,
  rolloutBucket,
  summarizeRollout,
  summarizeRollouts,
} from './rolloutSummary.js';
