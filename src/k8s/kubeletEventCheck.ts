// Whether a kubelet Event is believed. Anyone allowed to create Events in a namespace can write
// `source.component: kubelet` and any `source.host`, so an Event counts only when the pod it names
// agrees: the pod exists, is bound to the event's node, and has a container with that image. A
// failure that would *create* a pull must also show in the pod's status, which only the pod's own
// kubelet may write (NodeRestriction). Pure: the watch and the correlator apply it.
import { tryNormalizeImageRef } from './imageRef.js';
import type { ContainerFacts, PodFacts } from './podIndex.js';

export type EventRejection = 'pod_absent' | 'wrong_node' | 'image_not_in_pod' | 'pod_not_waiting_on_pull';

export const EVENT_REJECTIONS: readonly EventRejection[] = ['pod_absent', 'wrong_node', 'image_not_in_pod', 'pod_not_waiting_on_pull'];

/** What the check needs from a kubelet event. */
export interface EventClaim {
  nodeName: string;
  /** container name from the field path ('' when none) */
  container: string;
  init: boolean;
  /** the image as written in the message ('' when the message names none) */
  image: string;
}

export type EventVerdict = { ok: true; container: ContainerFacts } | { ok: false; reason: EventRejection; detail: string };

/** Waiting reasons the kubelet writes after a failed pull attempt (a new failed pull may be shown). */
export const PULL_FAILURE_REASONS: ReadonlySet<string> = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
]);

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

/** A failure may create a pull only when the pod's status shows the container failing to pull. */
export function statusShowsPullFailure(container: ContainerFacts): boolean {
  return container.waitingReason !== undefined && PULL_FAILURE_REASONS.has(container.waitingReason);
}
