// The kubeconfig `kubectl pulltrace` uses: --kubeconfig, else what kubectl would use (KUBECONFIG,
// then ~/.kube/config, then a pod's service account). Every failure names the file or variable it
// came from: the client library's own fallback to http://localhost:8080 answered a missing
// kubeconfig with "HTTP protocol is not allowed when skipTLSVerify is not set", or a raw ENOENT.
import { existsSync } from 'node:fs';
import { fromFiles, type KubeConfigDeps, type KubeConfigResult, loadKubeConfig } from '../k8s/client/index.js';

export function loadPluginKubeConfig(kubeconfigFlag: string | undefined, env: NodeJS.ProcessEnv, deps?: KubeConfigDeps): KubeConfigResult {
  if (kubeconfigFlag !== undefined) {
    const exists = deps?.exists ?? existsSync;
    if (!exists(kubeconfigFlag)) return { ok: false, reason: `--kubeconfig ${kubeconfigFlag}: no such file` };
    return fromFiles([kubeconfigFlag], `--kubeconfig ${kubeconfigFlag}`);
  }
  // kubectl's order: KUBECONFIG, then ~/.kube/config, and only then the pod's service account.
  const found = loadKubeConfig({ ...env, KUBERNETES_SERVICE_HOST: undefined }, deps);
  if (found.ok) return found;
  const inCluster = env.KUBERNETES_SERVICE_HOST ? loadKubeConfig(env, deps) : found;
  if (inCluster.ok) return inCluster;
  return {
    ok: false,
    reason: `no kubeconfig to reach the cluster: ${found.reason} (kubectl config view shows what kubectl uses; --kubeconfig FILE names one)`,
  };
}
