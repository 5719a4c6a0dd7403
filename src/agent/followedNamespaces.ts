// Which containerd namespaces `standalone` follows. With Kubernetes, pulls that matter are the
// kubelet's (k8s.io); without it, a developer pulls with ctr (default), nerdctl (default) or other
// tools in namespaces of their own, so every namespace is followed unless one was asked for.

export interface NamespaceChoice {
  /** the server watches the Kubernetes API (kubernetes on, or auto that found a cluster) */
  kubernetes: boolean;
  /** --containerd-namespace or PULLTRACE_CONTAINERD_NAMESPACE was given */
  namespaceGiven: boolean;
}

export function followsAllNamespaces(choice: NamespaceChoice): boolean {
  return !choice.kubernetes && !choice.namespaceGiven;
}
