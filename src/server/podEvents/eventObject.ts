// The Event objects written onto a pod: one per (pod, container, image), named so that every
// replica and every restart finds the same object (a deterministic name: a second writer's create
// answers 409 AlreadyExists instead of making a duplicate). Shaped like kubelet's own (runtime-facts
// §1.4): involvedObject the pod with the container's fieldPath, so `kubectl describe pod` lists it
// with kubelet's Pulling/Pulled lines.
import { createHash } from 'node:crypto';
import type { EventType } from './message.js';

export const EVENT_REASON = 'PullProgress';
export const REPORTING_COMPONENT = 'pulltrace';
/** the action of the events.k8s.io/v1 form */
export const EVENT_ACTION = 'Pulling';

export interface PodContainerRef {
  namespace: string;
  podName: string;
  podUid: string;
  container: string;
  /** an init container: fieldPath spec.initContainers{NAME} */
  init: boolean;
  /** the pod spec's image string */
  image: string;
}

export interface EventContent {
  message: string;
  type: EventType;
  /** writes so far to this object, this one included */
  count: number;
  firstAt: Date;
  lastAt: Date;
  /** the server instance writing (its host name) */
  instance: string;
}

const NAME_MAX = 253;

/** `<pod>.pulltrace-<10 hex of uid, container, image>`, within the 253 characters of a name. */
export function eventName(ref: PodContainerRef): string {
  const hash = createHash('sha256').update(`${ref.podUid}\0${ref.container}\0${ref.image}`).digest('hex').slice(0, 10);
  const suffix = `.pulltrace-${hash}`;
  return `${ref.podName.slice(0, NAME_MAX - suffix.length)}${suffix}`;
}

export function fieldPath(ref: PodContainerRef): string {
  return `spec.${ref.init ? 'initContainers' : 'containers'}{${ref.container}}`;
}

/** The key the writer keeps one Event per. */
export function eventKey(ref: Pick<PodContainerRef, 'namespace' | 'podName' | 'container' | 'image'>): string {
  return `${ref.namespace}/${ref.podName}/${ref.container}/${ref.image}`;
}

function involvedObject(ref: PodContainerRef): Record<string, string> {
  return { kind: 'Pod', apiVersion: 'v1', namespace: ref.namespace, name: ref.podName, uid: ref.podUid, fieldPath: fieldPath(ref) };
}

/** Seconds precision, as core/v1 timestamps are. */
function time(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** Microseconds, as events.k8s.io/v1 eventTime and Lease times are. */
export function microTime(d: Date): string {
  return `${d.toISOString().slice(0, 23)}000Z`;
}

/** A core/v1 Event (what the writer creates). */
export function coreV1Event(ref: PodContainerRef, c: EventContent): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(ref), namespace: ref.namespace },
    involvedObject: involvedObject(ref),
    reason: EVENT_REASON,
    message: c.message,
    type: c.type,
    count: c.count,
    firstTimestamp: time(c.firstAt),
    lastTimestamp: time(c.lastAt),
    source: { component: REPORTING_COMPONENT },
    reportingComponent: REPORTING_COMPONENT,
    reportingInstance: c.instance,
  };
}

/**
 * The update of an existing core/v1 Event in place (JSON merge patch): the new text, type, count
 * and last time. core/v1 is written rather than events.k8s.io/v1 because there an update may change
 * only `series`, so the note — the progress — would never change after the first write.
 */
export function coreV1Patch(c: EventContent): Record<string, unknown> {
  return { message: c.message, type: c.type, count: c.count, lastTimestamp: time(c.lastAt) };
}

/** The same Event in the events.k8s.io/v1 form (for clusters or tools that write that API). */
export function eventsV1Event(ref: PodContainerRef, c: EventContent): Record<string, unknown> {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: eventName(ref), namespace: ref.namespace },
    eventTime: microTime(c.firstAt),
    reportingController: REPORTING_COMPONENT,
    reportingInstance: c.instance,
    action: EVENT_ACTION,
    reason: EVENT_REASON,
    regarding: involvedObject(ref),
    note: c.message,
    type: c.type,
    ...(c.count > 1 ? { series: { count: c.count, lastObservedTime: microTime(c.lastAt) } } : {}),
  };
}
