// What a kubelet image event means for the pulls on its node: a Kubernetes action
// (kubeAction.ts), or none. Pure: the correlator appends it to the report log.
import type { PullState } from '../../model/index.js';
import type { KubeAction } from './kubeAction.js';

export interface KubeletSignalFacts {
  kind: string;
  /** the node the event is about (where a failed pull kubelet alone saw is created) */
  nodeName: string;
  /** the image as written, normalized when it parses */
  image: string;
  message: string;
  pullSeconds?: number;
  imageBytes?: number;
  /** kubelet 1.26+: time since `Pulling`, queue wait included */
  pullWithWaitingSeconds?: number;
}

export interface CandidatePull {
  id: string;
  imageRef: string;
  status: PullState;
  /** how informative the pull's current error text is (see messageRank) */
  errorRank: number;
}

/** The agent's own failure text ("connection reset by peer") ranks between kubelet's kinds. */
export const AGENT_ERROR_RANK = 2;

/**
 * `Failed to pull image "x": <CRI error>` says why; the agent's reason comes next; a bare
 * `Back-off pulling image "x"` or `Error: ErrImagePull` only says that it failed.
 */
export function messageRank(kind: string): number {
  switch (kind) {
    case 'pullFailed':
    case 'neverPull':
    case 'inspectFailed':
      return 3;
    case 'backOff':
    case 'errorCompanion':
      return 1;
    default:
      return 0;
  }
}

const FAILURE_KINDS = new Set(['pullFailed', 'neverPull', 'inspectFailed', 'backOff', 'errorCompanion']);

/**
 * `candidates` are the node's pulls, newest first; `matches(pullRef, signalImage)` compares
 * references (tolerant of the port-less repository names containerd labels carry).
 */
export function decideKubeletAction(
  signal: KubeletSignalFacts,
  candidates: CandidatePull[],
  matches: (pullRef: string, image: string) => boolean,
): KubeAction | undefined {
  if (!signal.image) return undefined;
  const matching = candidates.filter((p) => matches(p.imageRef, signal.image));
  const active = matching.find((p) => p.status === 'pulling' || p.status === 'stalled' || p.status === 'unpacking');

  if (signal.kind === 'pulled') {
    const figures = {
      pullSeconds: signal.pullSeconds,
      imageBytes: signal.imageBytes,
      withWaitingSeconds: signal.pullWithWaitingSeconds,
    };
    if (active) return { kind: 'complete', pullId: active.id, ...figures };
    const done = matching.find((p) => p.status === 'completed');
    return done ? { kind: 'annotate', pullId: done.id, ...figures } : undefined;
  }
  if (!FAILURE_KINDS.has(signal.kind)) return undefined;

  const rank = messageRank(signal.kind);
  if (active) return { kind: 'fail', pullId: active.id, message: signal.message, rank };
  // A failure already shown (by the agent, or an earlier kubelet event of the same attempt or a
  // failed retry) is refined, not repeated: one failed pull, one error count.
  const failed = matching.find((p) => p.status === 'failed');
  if (failed) return rank > failed.errorRank ? { kind: 'refine', pullId: failed.id, message: signal.message, rank } : undefined;
  // Kubelet failed with no bytes ever seen (bad tag, 401, registry down): still a visible pull.
  if (rank >= 1) return { kind: 'createFailed', nodeName: signal.nodeName, imageRef: signal.image, message: signal.message, rank };
  return undefined;
}
