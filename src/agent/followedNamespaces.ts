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

/**
 * Following every namespace, the list is asked for again every this many polls. Every poll: the
 * List call was not measurable apart from noise in bench:agent, while listing less often hid a
 * pull in a namespace it created (ctr's first pull into `default`) for as many polls.
 */
export const NAMESPACE_RELIST_POLLS = 1;

/** True when the namespace list is due: never listed, `every` polls since, or containerd came back. */
export function namespaceListDue(pollsSinceList: number | undefined, every = NAMESPACE_RELIST_POLLS): boolean {
  return pollsSinceList === undefined || pollsSinceList >= every;
}
