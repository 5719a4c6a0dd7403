// Pull progress written onto the waiting pods as Kubernetes Events (PULLTRACE_POD_EVENTS).

export { doneText, eventMessage, phaseSeconds } from './message.js';
export { POD_EVENT_DROP_REASONS, POD_EVENT_METRIC_NAMES } from './podEventMetrics.js';
export { type PodEventSettings, type PodEvents, type PodEventsDeps, type PodEventsMode, startPodEvents } from './podEvents.js';
