// Kubernetes rules, pure: which pods wait on a pull, kubelet's exact image name, why a pull failed.
// Nothing here loads @kubernetes/client-node; the watch, kubeconfig and TokenReview are in client/.
export {
  type ImageRef,
  ImageRefError,
  imageRefsMatch,
  normalizeImageRef,
  parseImageRef,
  type RefMatchOptions,
  repositoryMatchesIgnoringPort,
  repositoryOf,
  tryNormalizeImageRef,
} from './imageRef.js';
export { type KubeletEvent, type KubeletEventKind, parseKubeletEvent } from './kubeletEvent.js';
export {
  EVENT_REJECTIONS,
  type EventRefusal,
  type EventRejection,
  statusShowsPullDone,
  statusShowsPullFailure,
} from './kubeletEventCheck.js';
export type { KubeSignal, KubeStateLimits, WaitingPod } from './kubeState.js';
export type { KubeWatch, KubeWatchOptions, KubeWatchSettings, RejectedEvent } from './kubeWatch.js';
export { DEFAULT_HOLD_LIMITS, type HoldLimits, NamespaceHolds } from './namespaceHolds.js';
export type { ContainerFacts, PodFacts } from './podIndex.js';
export { type WaitingContainer, waitingContainers } from './podWaiting.js';
export type { TokenReviewer } from './tokenReviewer.js';
export { logKubernetesOff } from './watchOff.js';
