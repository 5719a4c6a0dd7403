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
 * Following every namespace, the list is asked for again every this many polls (measured with
 * bench:agent: a List call per poll was a visible part of the idle agent's CPU). Each followed
 * namespace is still polled every time; a new namespace is picked up within this many polls, and
 * its image records are then looked at once, so a pull that ended in between is not missed.
 */
export const NAMESPACE_RELIST_POLLS = 10;

/** True when the namespace list is due: never listed, `every` polls since, or containerd came back. */
export function namespaceListDue(pollsSinceList: number | undefined, every = NAMESPACE_RELIST_POLLS): boolean {
  return pollsSinceList === undefined || pollsSinceList >= every;
}
