// Wires the Kubernetes watch into the tracker: pods waiting on each pull, kubelet's exact image
// names, and kubelet failures and completions. Decisions are in kubeletDecision.ts.
// Only the pure parts of src/k8s (the client library is loaded by the watch, when it starts).
import { imageRefsMatch, tryNormalizeImageRef } from '../../k8s/imageRef.js';
import type { ContainerFacts, KubeSignal, KubeWatch, RejectedEvent } from '../../k8s/index.js';
import { statusShowsPullFailure } from '../../k8s/kubeletEventCheck.js';
import type { Logger } from '../../log/index.js';
import type { PodRef } from '../../model/index.js';
import { isPlaceholderImageRef } from '../tracker/placeholderImageRef.js';
import type { PullRecord } from '../tracker/pullRecord.js';
import type { PullTracker } from '../tracker/pullTracker.js';
import { applyKubeAction, type KubeAction } from './kubeAction.js';
import { AGENT_ERROR_RANK, type CandidatePull, decideKubeletAction } from './kubeletDecision.js';

/** kubelet's last `Pulling image` per node names digest-only pulls for this long */
const LAST_PULLING_MS = 10 * 60_000;
const MAX_RANKS = 10_000;
/** kubelet writes a failed pull's Event before the pod status that confirms it: wait this long for it */
export const CONFIRM_FAILURE_MS = 15_000;
const MAX_UNCONFIRMED = 1_000;

const refsMatch = (pullRef: string, image: string) => imageRefsMatch(image, pullRef, { portless: true, bAnyTag: true });

export class KubeCorrelator {
  /** how informative each failed pull's error is, so a bare "Error: ErrImagePull" never replaces a reason */
  private readonly errorRanks = new Map<string, number>();
  private readonly lastPulling = new Map<string, { image: string; at: number }>();
  private readonly unsubscribe: Array<() => void> = [];
  /** failures that would create a pull, waiting for their pod's status to confirm them */
  private unconfirmed: Array<{ signal: KubeSignal; until: number }> = [];
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kube: KubeWatch,
    private readonly tracker: PullTracker,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    /** told of every kubelet event that changed nothing because its pod's status contradicts it */
    private readonly onRejected: (rejected: RejectedEvent) => void = () => {},
    /**
     * Where decided actions go: applied here by default; with a shared report log, through the log
     * (every replica then applies them alike, and calls `applied`).
     */
    private readonly act?: (action: KubeAction) => void,
  ) {}

  /** An action applied to the tracker (here or, from the shared log, on every replica): `pullId` is the pull it concerned. */
  applied(action: KubeAction, pullId: string | undefined): void {
    if (action.kind === 'createFailed' && pullId) this.rememberRank(pullId, action.rank);
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
        this.tracker.refreshPods(node, this.now());
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

  /** Applies held failures whose pod now shows the pull failing; drops those past their wait. */
  private recheckUnconfirmed(node: string | undefined): void {
    if (this.unconfirmed.length === 0) return;
    const now = this.now();
    const held = this.unconfirmed;
    this.unconfirmed = [];
    for (const entry of held) {
      const container = entry.signal.nodeName === node || node === undefined ? this.containerOf(entry.signal) : undefined;
      if (container && statusShowsPullFailure(container)) this.onSignal(entry.signal);
      else if (now >= entry.until) this.reject(entry.signal, 'the pod status never showed the container failing to pull');
      else this.unconfirmed.push(entry);
    }
  }

  private reject(s: KubeSignal, detail: string): void {
    const { kind, nodeName, namespace, podName, container, image } = s;
    this.onRejected({ reason: 'pod_not_waiting_on_pull', detail, kind, nodeName, namespace, podName, container, image });
  }

  private podsFor(rec: PullRecord): PodRef[] {
    if (isPlaceholderImageRef(rec.imageRef)) return [];
    return this.kube
      .waitingFor(rec.nodeName, rec.imageRef)
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

  private onSignal(s: KubeSignal): void {
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
    if (action.kind !== 'none')
      this.logger.debug({ signal: s.kind, nodeName: s.nodeName, image, action: action.kind }, 'kubelet event applied to pulls');
    switch (action.kind) {
      case 'fail':
        this.rememberRank(action.pullId, action.rank);
        this.perform({ kind: 'fail', pullId: action.pullId, message: action.message, cause: causeOf(s) });
        break;
      case 'refine': {
        this.rememberRank(action.pullId, action.rank);
        this.perform({ kind: 'refine', pullId: action.pullId, message: action.message, cause: causeOf(s) });
        break;
      }
      case 'createFailed': {
        // Only the pod's own status (written by its node's kubelet) may bring a new failed pull
        // into being; the Event usually comes first, so it waits a little for the status.
        const container = this.containerOf(s);
        if (!container || !statusShowsPullFailure(container)) {
          if (this.unconfirmed.length >= MAX_UNCONFIRMED) this.reject(s, 'too many failures waiting for their pod status');
          else this.unconfirmed.push({ signal: s, until: now + CONFIRM_FAILURE_MS });
          break;
        }
        this.perform({
          kind: 'createFailed',
          nodeName: s.nodeName,
          imageRef: action.imageRef,
          message: action.message,
          rank: action.rank,
          cause: causeOf(s),
        });
        break;
      }
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

/** The Event occurrence behind a signal, the same on every replica (see KubeAction's `cause`). */
function causeOf(s: KubeSignal): string {
  return `${s.eventUid}#${s.count}`;
}
