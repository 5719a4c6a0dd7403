// Kubernetes correlation: which pods wait on a pull, kubelet's exact image name, and why a pull failed.
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
export { type KubeConfigResult, loadKubeConfig } from './kubeConfig.js';
export { type KubeletEvent, type KubeletEventKind, parseKubeletEvent } from './kubeletEvent.js';
export { EVENT_REJECTIONS, type EventRejection, statusShowsPullFailure } from './kubeletEventCheck.js';
export type { KubeSignal, KubeStateLimits, WaitingPod } from './kubeState.js';
export { type KubeWatch, type KubeWatchOptions, type KubeWatchSettings, type RejectedEvent, startKubeWatch } from './kubeWatch.js';
export type { ContainerFacts, PodFacts } from './podIndex.js';
export { type WaitingContainer, waitingContainers } from './podWaiting.js';
export { createTokenReviewer, type TokenReviewer, TokenReviewUnavailable } from './tokenReview.js';
