// kubectl-pulltrace: `pulltrace watch` through the Kubernetes API server's service proxy.
export { runKubectlPulltrace } from './kubectlPulltrace.js';
