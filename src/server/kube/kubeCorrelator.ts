// Wires the Kubernetes watch into the tracker: pods waiting on each pull, kubelet's exact image
// names, and kubelet failures and completions. Decisions are in kubeletDecision.ts; whether
// Kubernetes agrees with a decision (the pod waited on that pull, its status confirms) is checked
// here, where the pod and the pull meet.
// Only the pure parts of src/k8s (the client library is loaded by the watch, when it starts).
import {
  type ContainerFacts,
  DEFAULT_HOLD_LIMITS,
  type EventRefusal,
  type HoldLimits,
  imageRefsMatch,
  type KubeSignal,
  type KubeWatch,
  NamespaceHolds,
  type RejectedEvent,
  statusShowsPullDone,
  statusShowsPullFailure,
  tryNormalizeImageRef,
  type WaitingPod,
} from '../../k8s/index.js';
import type { Logger } from '../../log/index.js';
import type { PodRef } from '../../model/index.js';
import { isPlaceholderImageRef } from '../tracker/placeholderImageRef.js';
import type { PullRecord } from '../tracker/pullRecord.js';
import type { PullTracker } from '../tracker/pullTracker.js';
import { applyKubeAction, type KubeAction } from './kubeAction.js';
import { AGENT_ERROR_RANK, type CandidatePull, decideKubeletAction, type KubeletAction } from './kubeletDecision.js';
import { PodWaitHistory, type WaitingContainerRef } from './podWaitHistory.js';

/** kubelet's last `Pulling image` per node names digest-only pulls for this long */
const LAST_PULLING_MS = 10 * 60_000;
const MAX_RANKS = 10_000;
/**
 * kubelet writes an Event just before the pod status that confirms it (ErrImagePull after a
 * failure; the container started after a Pulled): an Event waits this long for it.
 */
export const CONFIRM_MS = 15_000;
/**
 * A pull's start is the agent's (never later than when this server first saw it, a report interval
 * after the start at worst): a pod whose wait ended this much before it still waited on that pull.
 */
const START_SLACK_MS = 15_000;

const refsMatch = (pullRef: string, image: string) => imageRefsMatch(image, pullRef, { portless: true, bAnyTag: true });

export interface KubeCorrelatorOptions {
  /** how many Events may wait for their pod's status, per namespace of the Event and in all */
  holdLimits?: HoldLimits;
}

export class KubeCorrelator {
  /** how informative each failed pull's error is, so a bare "Error: ErrImagePull" never replaces a reason */
  private readonly errorRanks = new Map<string, number>();
  private readonly lastPulling = new Map<string, { image: string; at: number }>();
  private readonly unsubscribe: Array<() => void> = [];
  /** Events whose pod does not confirm them yet, by node, charged to the Event's namespace */
  private readonly unconfirmed: NamespaceHolds<KubeSignal>;
  /** which containers waited on which image, per node: a pull's waiting pods, also once they stopped waiting */
  private readonly waits = new PodWaitHistory();
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kube: KubeWatch,
    private readonly tracker: PullTracker,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    /** told of every kubelet event that changed nothing because Kubernetes does not agree (or there was no room) */
    private readonly onRejected: (rejected: RejectedEvent) => void = () => {},
    /**
     * Where decided actions go: applied here by default; with a shared report log, through the log
     * (every replica then applies them alike, and calls `applied`).
     */
    private readonly act?: (action: KubeAction) => void,
    options: KubeCorrelatorOptions = {},
  ) {
    this.unconfirmed = new NamespaceHolds(options.holdLimits ?? DEFAULT_HOLD_LIMITS);
  }

  /** An action applied to the tracker (here or, from the shared log, on every replica): `pullId` is the pull it concerned. */
  applied(action: KubeAction, pullId: string | undefined): void {
    if (action.kind !== 'createFailed') return;
    if (pullId) this.rememberRank(pullId, action.rank);
    else
      this.onRejected({
        reason: 'capacity',
        detail: `no room for another pull on ${action.nodeName} (PULLTRACE_MAX_NODES, PULLTRACE_MAX_PULLS, PULLTRACE_MAX_PULLS_PER_NODE)`,
        kind: 'createFailed',
        nodeName: action.nodeName,
        namespace: '',
        podName: '',
        container: '',
        image: action.imageRef,
      });
  }

  private perform(action: KubeAction): void {
    if (this.act) this.act(action);
    else this.applied(action, applyKubeAction(this.tracker, action, this.now()));
  }

  start(): void {
    this.tracker.setPodResolver((rec) => this.podsFor(rec));
    this.tracker.setNameResolver((rec) => this.nameFor(rec));
    this.unsubscribe.push(
      this.kube.onPodsChanged((node) => {
        const now = this.now();
        this.waits.observe(node, this.kube.waitingOn(node).map(waitRef), now);
        this.tracker.refreshPods(node, now);
        this.recheckUnconfirmed(node);
      }),
    );
    this.unsubscribe.push(this.kube.onSignal((s) => this.onSignal(s)));
    this.expiryTimer = setInterval(() => this.recheckUnconfirmed(undefined), 1_000);
    this.expiryTimer.unref();
  }

  stop(): void {
    for (const u of this.unsubscribe) u();
    clearInterval(this.expiryTimer);
  }

  /** The container the signal is about, as its pod's status shows it now. */
  private containerOf(s: KubeSignal): ContainerFacts | undefined {
    const pod = this.kube.podFacts(s.namespace, s.podName);
    if (!pod || pod.nodeName !== s.nodeName) return undefined;
    return pod.containers.find((c) => (s.container ? c.name === s.container && c.init === s.init : c.image === s.image));
  }

  /**
   * Re-decides the held Events of a node whose pods changed (a status that confirms one comes as a
   * change); the timer (`node` undefined) settles only those whose wait is over.
   */
  private recheckUnconfirmed(node: string | undefined): void {
    const now = this.now();
    for (const entry of this.unconfirmed.take(node)) {
      if (node === undefined && now < entry.until) this.unconfirmed.hold(entry);
      else this.onSignal(entry.item, entry.until);
    }
  }

  /**
   * Why Kubernetes does not (yet) agree with an action, or undefined when it does. Only the pod's
   * own kubelet writes its status (NodeRestriction), so the status is the trusted side: a failure
   * needs the container failing to pull; a completion needs it past its image; and an Event about
   * an existing pull must name a pod that waited on that pull.
   */
  private disagreement(s: KubeSignal, action: KubeletAction, now: number): EventRefusal | undefined {
    if (action.kind === 'none') return undefined;
    const container = this.containerOf(s);
    if (!container) return { ok: false, reason: 'pod_absent', detail: 'the pod is gone or no longer runs that container on the node' };
    if (action.kind !== 'createFailed') {
      const pull = this.tracker.get(action.pullId);
      if (!pull || !this.waitedOn(pull, s, container, now)) {
        return { ok: false, reason: 'pod_not_on_pull', detail: 'the pod never waited on the pull the event would change' };
      }
    }
    const failure = action.kind === 'fail' || action.kind === 'refine' || action.kind === 'createFailed';
    if (failure ? statusShowsPullFailure(container) : statusShowsPullDone(container)) return undefined;
    return {
      ok: false,
      reason: 'pod_not_waiting_on_pull',
      detail: failure
        ? 'the pod status never showed the container failing to pull'
        : 'the pod status never showed the container past its image pull',
    };
  }

  /** The named container waits on the pull now, or waited on its image after the pull started. */
  private waitedOn(pull: PullRecord, s: KubeSignal, container: ContainerFacts, now: number): boolean {
    const same = (w: { namespace: string; podName: string; container: string }) =>
      w.namespace === s.namespace && w.podName === s.podName && w.container === container.name;
    if (this.kube.waitingFor(pull.nodeName, pull.imageRef).some(same)) return true;
    const wait = this.waits.waitOf(pull.nodeName, s.namespace, s.podName, container.name);
    if (!wait || !refsMatch(pull.imageRef, wait.image)) return false;
    return (wait.until ?? now) >= pull.startedAt - START_SLACK_MS;
  }

  /** Holds an Event Kubernetes does not confirm yet; past its wait (or without room) it is dropped and counted. */
  private holdOrReject(s: KubeSignal, refusal: EventRefusal, until: number, now: number): void {
    if (now >= until) {
      this.reject(s, refusal);
      return;
    }
    if (this.unconfirmed.hold({ namespace: s.eventNamespace, key: s.nodeName, item: s, until })) return;
    this.reject(s, {
      ok: false,
      reason: 'hold_quota',
      detail: `too many Events of namespace ${s.eventNamespace} already wait for their pod status (${refusal.reason})`,
    });
  }

  private reject(s: KubeSignal, refusal: EventRefusal): void {
    const { kind, nodeName, namespace, podName, container, image } = s;
    this.onRejected({ reason: refusal.reason, detail: refusal.detail, kind, nodeName, namespace, podName, container, image });
  }

  private podsFor(rec: PullRecord): PodRef[] {
    if (isPlaceholderImageRef(rec.imageRef)) return [];
    const waiting = this.kube.waitingFor(rec.nodeName, rec.imageRef);
    // pods already waiting before this server saw their node change still count as the pull's
    this.waits.noteWaiting(rec.nodeName, waiting.map(waitRef), this.now());
    return waiting
      .map((w) => ({ namespace: w.namespace, podName: w.podName, container: w.container, image: w.image }))
      .sort((a, b) => `${a.namespace}/${a.podName}/${a.container}`.localeCompare(`${b.namespace}/${b.podName}/${b.container}`));
  }

  private nameFor(rec: PullRecord): string | undefined {
    if (isPlaceholderImageRef(rec.imageRef)) {
      // The original agent's digest-only ingests: the image kubelet last started pulling there.
      const last = this.lastPulling.get(rec.nodeName);
      return last && this.now() - last.at < LAST_PULLING_MS ? last.image : undefined;
    }
    const exact = this.kube.exactRefFor(rec.nodeName, rec.imageRef);
    return exact ? (tryNormalizeImageRef(exact) ?? undefined) : undefined;
  }

  /** A new signal, or a held one again (`heldUntil`: when its wait for the pod status ends). */
  private onSignal(s: KubeSignal, heldUntil?: number): void {
    if (s.backlog) return; // events from before this server watched were handled (or not) back then
    const now = this.now();
    const image = s.normalizedImage ?? s.image;
    if (s.kind === 'pulling') {
      if (image) this.lastPulling.set(s.nodeName, { image, at: now });
      this.tracker.refreshPods(s.nodeName, now);
      return;
    }
    const candidates: CandidatePull[] = this.tracker
      .pullsOn(s.nodeName)
      .sort((a, b) => b.startedAt - a.startedAt)
      .map((p) => ({ id: p.id, imageRef: p.imageRef, status: p.status, errorRank: this.errorRanks.get(p.id) ?? AGENT_ERROR_RANK }));
    const action = decideKubeletAction(
      {
        kind: s.kind,
        image,
        message: s.message,
        pullSeconds: s.pullSeconds,
        imageBytes: s.imageBytes,
        pullWithWaitingSeconds: s.pullWithWaitingSeconds,
      },
      candidates,
      refsMatch,
    );
    // Only the pod's own status (written by its node's kubelet) may confirm what an Event says;
    // the Event usually comes first, so it waits a little for the status.
    const refusal = this.disagreement(s, action, now);
    if (refusal) {
      this.holdOrReject(s, refusal, heldUntil ?? now + CONFIRM_MS, now);
      return;
    }
    if (action.kind !== 'none')
      this.logger.debug({ signal: s.kind, nodeName: s.nodeName, image, action: action.kind }, 'kubelet event applied to pulls');
    switch (action.kind) {
      case 'fail':
        this.rememberRank(action.pullId, action.rank);
        this.perform({ kind: 'fail', pullId: action.pullId, message: action.message, cause: causeOf(s) });
        break;
      case 'refine':
        this.rememberRank(action.pullId, action.rank);
        this.perform({ kind: 'refine', pullId: action.pullId, message: action.message, cause: causeOf(s) });
        break;
      case 'createFailed':
        this.perform({
          kind: 'createFailed',
          nodeName: s.nodeName,
          imageRef: action.imageRef,
          message: action.message,
          rank: action.rank,
          cause: causeOf(s),
        });
        break;
      case 'complete':
        this.perform({
          kind: 'complete',
          pullId: action.pullId,
          pullSeconds: action.pullSeconds,
          imageBytes: action.imageBytes,
          withWaitingSeconds: action.pullWithWaitingSeconds,
          cause: causeOf(s),
        });
        break;
      case 'annotate':
        this.perform({
          kind: 'annotate',
          pullId: action.pullId,
          pullSeconds: action.pullSeconds,
          imageBytes: action.imageBytes,
          withWaitingSeconds: action.pullWithWaitingSeconds,
          cause: causeOf(s),
        });
        break;
    }
  }

  private rememberRank(pullId: string, rank: number): void {
    if (this.errorRanks.size >= MAX_RANKS) this.errorRanks.delete(this.errorRanks.keys().next().value as string);
    this.errorRanks.set(pullId, rank);
  }
}

function waitRef(w: WaitingPod): WaitingContainerRef {
  return { namespace: w.namespace, podName: w.podName, container: w.container, image: w.normalizedImage };
}

/** The Event occurrence behind a signal, the same on every replica (see KubeAction's `cause`). */
function causeOf(s: KubeSignal): string {
  return `${s.eventUid}#${s.count}`;
}
