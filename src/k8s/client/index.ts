// The Kubernetes client side: everything that loads @kubernetes/client-node (kubeconfig, informers,
// the pod and event watch, TokenReview). Import it lazily (`await import(…)`) where a cluster is
// actually watched, so an agent or a server with Kubernetes off never loads the library.
export { fromFiles, type KubeConfigDeps, type KubeConfigResult, loadKubeConfig, SERVICE_ACCOUNT_DIR } from './kubeConfig.js';
export { startKubeWatch } from './startKubeWatch.js';
export { createTokenReviewer, TokenReviewUnavailable } from './tokenReview.js';
