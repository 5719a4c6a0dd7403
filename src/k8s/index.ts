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
export { type KubeletEvent, type KubeletEventKind, parseKubeletEvent } from './kubeletEvent.js';
export type { KubeSignal, KubeStateLimits, WaitingPod } from './kubeState.js';
export { type KubeWatch, type KubeWatchOptions, type KubeWatchSettings, startKubeWatch } from './kubeWatch.js';
export { type WaitingContainer, waitingContainers } from './podWaiting.js';
