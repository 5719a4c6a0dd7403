export {
  type AgentInfo,
  type AgentReport,
  AgentReportSchema,
  NODE_NAME_PATTERN,
  type ReportLayer,
  type ReportPull,
  ReportPullSchema,
} from './agentReport.js';
export { AGENT_STATES, type AgentList, AgentListSchema, type AgentStatus, AgentStatusSchema } from './agentStatus.js';
export { PRINTABLE_PATTERN, SCHEMA_VERSION } from './common.js';
export { FAILURE_REASONS, type FailureReason, FailureReasonSchema } from './failureReason.js';
export { type LayerState, LayerStateSchema, type LayerStatus, LayerStatusSchema } from './layerStatus.js';
export { EARLIEST_TIME_MS, MAX_BYTES, MAX_FUTURE_SKEW_MS, MAX_LAYERS_PER_PULL, MAX_LAYERS_PER_REPORT } from './limits.js';
export { publishedSchemas } from './published.js';
export { PULL_EVENT_TYPES, type PullEvent, PullEventSchema, type PullEventType } from './pullEvent.js';
export {
  type PodRef,
  PodRefSchema,
  type PullState,
  PullStateSchema,
  type PullStatus,
  PullStatusSchema,
} from './pullStatus.js';
export { REPORT_BODY_LIMIT_BYTES, REPORT_LIMITS } from './reportLimits.js';
