// Whether a kubelet Event is believed. Anyone allowed to create Events in a namespace can write
// `source.component: kubelet` and any `source.host`, so an Event counts only when the pod it names
// agrees: the pod is in the Event's own namespace, exists, is bound to the event's node, and has a
// container with that image. What the Event would do to a pull must also show in the pod's status,
// which only the pod's own kubelet may write (NodeRestriction): failing to pull for a failure, out of
// the image-pull wait for a completion. Pure: the watch and the correlator apply it.
import { tryNormalizeImageRef } from './imageRef.js';
import type { ContainerFacts, PodFacts } from './podIndex.js';
import { PULL_WAITING_REASONS } from './podWaiting.js';

export type EventRejection =
  | 'foreign_namespace'
  | 'pod_absent'
  | 'wrong_node'
  | 'image_not_in_pod'
  | 'pod_not_on_pull'
  | 'pod_not_waiting_on_pull'
  | 'hold_quota'
  | 'capacity';

export const EVENT_REJECTIONS: readonly EventRejection[] = [
  'foreign_namespace',
  'pod_absent',
  'wrong_node',
  'image_not_in_pod',
  'pod_not_on_pull',
  'pod_not_waiting_on_pull',
  'hold_quota',
  'capacity',
];

/** What the check needs from a kubelet event. */
export interface EventClaim {
  nodeName: string;
  /** container name from the field path ('' when none) */
  container: string;
  init: boolean;
  /** the image as written in the message ('' when the message names none) */
  image: string;
}

export interface EventRefusal {
  ok: false;
  reason: EventRejection;
  detail: string;
}

export type EventVerdict = { ok: true; container: ContainerFacts } | EventRefusal;

/** Waiting reasons the kubelet writes after a failed pull attempt (a new failed pull may be shown). */
export const PULL_FAILURE_REASONS: ReadonlySet<string> = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  // newer kubelets name these pull failures separately (K-IM evalCRIPullErr)
  'RegistryUnavailable',
  'SignatureValidationFailed',
]);

/**
 * An Event names its pod by `involvedObject.namespace`, and the API server accepts one (with
 * `eventTime` set) naming a pod of another namespace: permission to create Events in one
 * namespace would then speak for every pod. Such an Event is never believed.
 */
export function foreignNamespace(event: { namespace: string; eventNamespace: string }): EventRefusal | undefined {
  if (event.eventNamespace === event.namespace) return undefined;
  return {
    ok: false,
    reason: 'foreign_namespace',
    detail: `an Event in namespace ${event.eventNamespace || '(none)'} names a pod in namespace ${event.namespace || '(none)'}`,
  };
}

function sameImage(a: string, b: string): boolean {
  if (a === b) return true;
  const na = tryNormalizeImageRef(a);
  return na !== undefined && na === tryNormalizeImageRef(b);
}

/** The event may change a pull: its pod exists, is bound to its node and runs that image. */
export function checkEventAgainstPod(claim: EventClaim, pod: PodFacts | undefined): EventVerdict {
  if (!pod) return { ok: false, reason: 'pod_absent', detail: 'no such pod is watched' };
  if (!pod.nodeName || pod.nodeName !== claim.nodeName) {
    return {
      ok: false,
      reason: 'wrong_node',
      detail: `pod is bound to ${pod.nodeName || 'no node'}, event says ${claim.nodeName || 'no node'}`,
    };
  }
  const candidates = claim.container
    ? pod.containers.filter((c) => c.name === claim.container && c.init === claim.init)
    : pod.containers.filter((c) => claim.image !== '' && sameImage(c.image, claim.image));
  const container = claim.image ? candidates.find((c) => sameImage(c.image, claim.image)) : candidates[0];
  if (!container) {
    return {
      ok: false,
      reason: 'image_not_in_pod',
      detail: claim.container ? `container ${claim.container} does not run that image` : 'no container of the pod runs that image',
    };
  }
  return { ok: true, container };
}

/** A failure counts only when the pod's status shows the container failing to pull. */
export function statusShowsPullFailure(container: ContainerFacts): boolean {
  return container.waitingReason !== undefined && PULL_FAILURE_REASONS.has(container.waitingReason);
}

/**
 * A completion counts only when the pod's status shows the container past its image: started
 * (running or terminated), or waiting for something else than an image (CreateContainerError, …).
 */
export function statusShowsPullDone(container: ContainerFacts): boolean {
  if (container.started) return true;
  return container.waitingReason !== undefined && !PULL_WAITING_REASONS.has(container.waitingReason);
}
