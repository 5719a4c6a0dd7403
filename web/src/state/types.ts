// Type-only imports: the web bundle shares the server's model types but none of its code.
export type { FailureReason, LayerState, LayerStatus, PodRef, PullEvent, PullState, PullStatus } from '../../../src/model/index.js';
