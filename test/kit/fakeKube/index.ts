// Fake Kubernetes API server for tests, used through the real @kubernetes/client-node.

export { goQuote } from './goQuote.js';
export { type HelmReadsApi, type HelmReadsCluster, startHelmReadsApi } from './helmReadsApi.js';
export { writeKubeconfig } from './kubeconfig.js';
export { FakeKubelet, type FakeKubeletOptions } from './kubelet.js';
export {
  type ContainerInput,
  type ContainerStateInput,
  goDuration,
  type KubeletEventInput,
  type KubeObject,
  kubeletEvent,
  kubeletMessages,
  kubeTime,
  type PodInput,
  podObject,
  toEventsV1,
} from './objects.js';
export { realisticPod } from './realisticPod.js';
export { FakeKubeApi, type FakeKubeOptions, type RecordedRequest, type Resource } from './server.js';
