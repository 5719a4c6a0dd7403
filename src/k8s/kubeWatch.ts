// What the Kubernetes watch offers the server (the correlator reads it): waiting pods, kubelet's
// exact references and image events, by node. Types only; the watch itself is in client/, loaded
// only when a server watches a cluster.
import type { EventRejection } from './kubeletEventCheck.js';
import type { KubeSignal, KubeStateLimits, WaitingPod } from './kubeState.js';
import type { HoldLimits } from './namespaceHolds.js';
import type { PodFacts } from './podIndex.js';

/** A kubelet-looking Event that its pod contradicts: it changed nothing. */
export interface RejectedEvent {
  reason: EventRejection;
  detail: string;
  kind: string;
  nodeName: string;
  namespace: string;
  podName: string;
  container: string;
  image: string;
}

export interface KubeWatch {
  /** containers on `nodeName` currently waiting whose image matches `imageRef` (normalized compare,
      tolerant of the port-less repository form; a ref without tag or digest matches any tag) */
  waitingFor(nodeName: string, imageRef: string): WaitingPod[];
  /** all waiting containers on a node (for failures with no bytes seen) */
  waitingOn(nodeName: string): WaitingPod[];
  /** latest 'pulling' signal on a node for a repository: kubelet's exact reference as written */
  exactRefFor(nodeName: string, imageRef: string): string | undefined;
  /** called once for each new kubelet image event occurrence (a count++ repeat is a new occurrence;
      relists and replays are not). Signals seen before the first listener subscribed (the first
      list runs inside startKubeWatch) are handed to that listener at once, oldest first. */
  onSignal(listener: (s: KubeSignal) => void): () => void;
  /** called with a node name whenever the waiting containers on that node change */
  onPodsChanged(listener: (nodeName: string) => void): () => void;
  /** a watched pod's node, images and waiting reasons (any pod, waiting or not) */
  podFacts(namespace: string, name: string): PodFacts | undefined;
  close(): Promise<void>;
}

export interface KubeWatchSettings {
  kubernetes: 'auto' | 'off';
  /** empty = all namespaces */
  watchNamespaces: string[];
}

export interface KubeWatchOptions {
  limits?: Partial<KubeStateLimits>;
  /** informer restart backoff (tests shorten it) */
  backoff?: { initialMs: number; maxMs: number };
  /** how often old events are forgotten */
  pruneEveryMs?: number;
  /** startKubeWatch waits at most this long for the first lists, then goes on in the background */
  startTimeoutMs?: number;
  /** a list that has not answered by then is retried */
  listTimeoutMs?: number;
  now?: () => number;
  /** told of every live kubelet event its pod contradicts (forged, or about a pod not watched) */
  onEventRejected?: (rejected: RejectedEvent) => void;
  /** how long a live event whose pod does not agree yet waits for the pod watch to catch up */
  holdEventsMs?: number;
  /** how many such events may wait, per namespace of the Event and in all */
  holdLimits?: HoldLimits;
}
