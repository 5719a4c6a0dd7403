// The live Kubernetes side: informers on pods and kubelet events (cluster-wide, or one pair per
// watched namespace) feeding KubeState, and listeners for new signals and waiting-pod changes.
import { CoreV1Api, type CoreV1Event, type KubeConfig, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../log/index.js';
import { tryNormalizeImageRef } from '../imageRef.js';
import { checkEventAgainstPod, type EventRefusal, foreignNamespace } from '../kubeletEventCheck.js';
import { DEFAULT_LIMITS, type KubeSignal, KubeState, type WaitingPod } from '../kubeState.js';
import type { KubeWatch, KubeWatchOptions, KubeWatchSettings, RejectedEvent } from '../kubeWatch.js';
import { DEFAULT_HOLD_LIMITS, NamespaceHolds } from '../namespaceHolds.js';
import { type PodFacts, PodIndex } from '../podIndex.js';
import { slimPod } from '../slimPod.js';
import { logKubernetesOff } from '../watchOff.js';
import { type RunningInformer, startInformer } from './informer.js';
import { loadKubeConfig } from './kubeConfig.js';

/** objects per list page: the client library turns each page into model objects first, so small
 * pages keep that garbage small (measured: 50,000 pods grew the RSS by 126 MiB at 100, 220 at 500) */
const LIST_PAGE_SIZE = 100;

// Kubelet records its events with source.component=kubelet; a supported core/v1 field selector
// (K-EVSTR) that keeps scheduler/controller events off the wire.
const KUBELET_EVENTS = 'source=kubelet';
const MAX_PENDING_SIGNALS = 5000;
const HOLD_EVENTS_MS = 10_000;

/**
 * Starts watching when configured; resolves after the first list of every informer was tried.
 * Returns undefined when `off` or when no configuration is found (one warning in auto mode).
 * Never throws for a missing or unreachable cluster: informers retry in the background.
 */
export async function startKubeWatch(
  settings: KubeWatchSettings,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  options: KubeWatchOptions = {},
): Promise<KubeWatch | undefined> {
  if (settings.kubernetes === 'off') {
    logKubernetesOff(logger);
    return undefined;
  }
  const log = logger.child({ component: 'kubernetes' });
  const config = loadKubeConfig(env);
  if (!config.ok) {
    log.warn({ reason: config.reason }, 'kubernetes: no configuration found; pods and kubelet errors will not be shown');
    return undefined;
  }
  const namespaces = settings.watchNamespaces;
  log.info(
    { source: config.source, server: config.server, namespaces: namespaces.length ? namespaces : 'all' },
    'kubernetes: watching pods and kubelet events',
  );
  const watch = new LiveKubeWatch(config.kc, namespaces, log, options);
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), startTimeoutMs);
  });
  if ((await Promise.race([watch.started, slow])) === 'slow') {
    log.warn({ server: config.server, waitedMs: startTimeoutMs }, 'kubernetes: API server slow to answer; going on while it is retried');
  }
  clearTimeout(timer);
  return watch;
}

class LiveKubeWatch implements KubeWatch {
  readonly started: Promise<void>;
  private readonly state: KubeState;
  private readonly informers: RunningInformer[] = [];
  private readonly signalListeners = new Set<(s: KubeSignal) => void>();
  private readonly podListeners = new Set<(nodeName: string) => void>();
  private readonly podIndex = new PodIndex();
  private readonly onEventRejected: ((rejected: RejectedEvent) => void) | undefined;
  /** live events whose pod did not agree yet, by namespace/pod (see believeOrHold) */
  private readonly held: NamespaceHolds<KubeSignal>;
  private readonly holdMs: number;
  private readonly holdTimer: NodeJS.Timeout;
  // signals from before anyone listened (bounded; the first listener takes them)
  private pending: KubeSignal[] | undefined = [];
  private readonly pruneTimer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(
    kc: KubeConfig,
    namespaces: string[],
    private readonly log: Logger,
    options: KubeWatchOptions,
  ) {
    this.state = new KubeState({ ...DEFAULT_LIMITS, ...options.limits });
    this.now = options.now ?? Date.now;
    this.onEventRejected = options.onEventRejected;
    this.holdMs = options.holdEventsMs ?? HOLD_EVENTS_MS;
    this.held = new NamespaceHolds(options.holdLimits ?? DEFAULT_HOLD_LIMITS);
    this.holdTimer = setInterval(() => this.recheckHeld(undefined), Math.min(1_000, this.holdMs));
    this.holdTimer.unref();
    const api = kc.makeApiClient(CoreV1Api);
    const informerOptions = {
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.listTimeoutMs ? { listTimeoutMs: options.listTimeoutMs } : {}),
    };
    const scopes: Array<string | undefined> = namespaces.length > 0 ? namespaces : [undefined];
    for (const ns of scopes) {
      const base = ns === undefined ? '/api/v1' : `/api/v1/namespaces/${encodeURIComponent(ns)}`;
      const pods = startInformer<V1Pod>({
        kc,
        path: `${base}/pods`,
        list: (_continue) =>
          ns === undefined
            ? api.listPodForAllNamespaces({ limit: LIST_PAGE_SIZE, _continue })
            : api.listNamespacedPod({ namespace: ns, limit: LIST_PAGE_SIZE, _continue }),
        // every pod of the cluster is cached: keep only what correlation and event checks read (slimPod.ts)
        transform: slimPod,
        logger: log,
        ...informerOptions,
        handlers: { add: (p) => this.podChanged(p), update: (p) => this.podChanged(p), delete: (p) => this.podDeleted(p) },
      });
      // Events are checked against their pods, so the pods are listed first.
      const events = startAfter(pods.started, () =>
        startInformer<CoreV1Event>({
          kc,
          path: `${base}/events`,
          list: (_continue) =>
            ns === undefined
              ? api.listEventForAllNamespaces({ fieldSelector: KUBELET_EVENTS, limit: LIST_PAGE_SIZE, _continue })
              : api.listNamespacedEvent({ namespace: ns, fieldSelector: KUBELET_EVENTS, limit: LIST_PAGE_SIZE, _continue }),
          fieldSelector: KUBELET_EVENTS,
          logger: log,
          ...informerOptions,
          handlers: { add: (e, backlog) => this.eventSeen(e, backlog), update: (e) => this.eventSeen(e, false), delete: () => {} },
        }),
      );
      this.informers.push(pods, events);
    }
    this.started = Promise.all(this.informers.map((i) => i.started)).then(() => undefined);
    this.pruneTimer = setInterval(() => this.state.prune(this.now()), options.pruneEveryMs ?? 60_000);
    this.pruneTimer.unref();
  }

  waitingFor(nodeName: string, imageRef: string): WaitingPod[] {
    return this.state.waitingFor(nodeName, imageRef);
  }

  waitingOn(nodeName: string): WaitingPod[] {
    return this.state.waitingOn(nodeName);
  }

  exactRefFor(nodeName: string, imageRef: string): string | undefined {
    return this.state.exactRefFor(nodeName, imageRef);
  }

  podFacts(namespace: string, name: string): PodFacts | undefined {
    return this.podIndex.get(namespace, name);
  }

  onSignal(listener: (s: KubeSignal) => void): () => void {
    this.signalListeners.add(listener);
    const pending = this.pending ?? [];
    this.pending = undefined;
    for (const signal of pending) this.call(() => listener(signal));
    return () => this.signalListeners.delete(listener);
  }

  onPodsChanged(listener: (nodeName: string) => void): () => void {
    this.podListeners.add(listener);
    return () => this.podListeners.delete(listener);
  }

  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    clearInterval(this.holdTimer);
    this.signalListeners.clear();
    this.podListeners.clear();
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  private podChanged(pod: V1Pod): void {
    const key = objectKey(pod);
    this.podIndex.set(pod);
    const nodes = this.state.setPod(pod);
    // events held for this pod first: the pulls they create then get the pod on the refresh below
    this.recheckHeld(key);
    this.notifyPods(nodes);
  }

  private podDeleted(pod: V1Pod): void {
    this.podIndex.remove(pod);
    this.notifyPods(this.state.removePod(pod));
  }

  private notifyPods(nodes: string[]): void {
    for (const node of new Set(nodes)) {
      for (const listener of this.podListeners) this.call(() => listener(node));
    }
  }

  private eventSeen(event: CoreV1Event, backlog: boolean): void {
    const signal = this.state.newOccurrence(event, backlog, this.now());
    if (!signal) return;
    // Waiting cannot change the namespace an Event was written in: refused at once.
    const foreign = foreignNamespace(signal);
    if (foreign) {
      if (!signal.backlog) this.reject(signal, foreign);
      return;
    }
    this.believeOrHold(signal, true);
  }

  /**
   * Passes a signal on when its pod agrees. Pods and events come on separate watches, so a live
   * event whose pod does not agree yet is held a few seconds and checked again as the pod changes;
   * then it is rejected (counted, changes nothing). Backlog events are dropped without a count.
   * Held events are charged to the Event's namespace (namespaceHolds.ts).
   */
  private believeOrHold(signal: KubeSignal, firstTry: boolean): void {
    const verdict = checkEventAgainstPod(signal, this.podIndex.get(signal.namespace, signal.podName));
    if (verdict.ok) {
      this.state.notePulling(signal);
      this.pass(signal);
      return;
    }
    if (signal.backlog) return;
    if (firstTry) {
      const held = {
        namespace: signal.eventNamespace,
        key: `${signal.namespace}/${signal.podName}`,
        item: signal,
        until: this.now() + this.holdMs,
      };
      if (this.held.hold(held)) return;
      this.reject(signal, {
        ok: false,
        reason: 'hold_quota',
        detail: `too many Events of namespace ${signal.eventNamespace} already wait for their pod (${verdict.reason})`,
      });
      return;
    }
    this.reject(signal, verdict);
  }

  private reject(signal: KubeSignal, verdict: EventRefusal): void {
    const { kind, nodeName, namespace, podName, container, image } = signal;
    this.onEventRejected?.({ reason: verdict.reason, detail: verdict.detail, kind, nodeName, namespace, podName, container, image });
  }

  /** Re-checks held events (of one pod when it changed, or all from the timer): passed on once their
   *  pod agrees, rejected once their time is up, else kept. */
  private recheckHeld(podKey: string | undefined): void {
    if (this.held.size === 0) return;
    const now = this.now();
    const settled: KubeSignal[] = [];
    for (const entry of this.held.take(podKey)) {
      const s = entry.item;
      const agrees = checkEventAgainstPod(s, this.podIndex.get(s.namespace, s.podName)).ok;
      if (agrees || now >= entry.until) settled.push(s);
      else this.held.hold(entry); // its own slot, just freed
    }
    for (const s of settled) this.believeOrHold(s, false);
  }

  private pass(signal: KubeSignal): void {
    // `Error: ErrImagePull` names no image: take it from the pod's spec when the pod is known
    if (!signal.image && signal.container) {
      const pod = this.podIndex.get(signal.namespace, signal.podName);
      const image = pod?.containers.find((c) => c.name === signal.container && c.init === signal.init)?.image;
      if (image) {
        signal.image = image;
        const normalized = tryNormalizeImageRef(image);
        if (normalized) signal.normalizedImage = normalized;
      }
    }
    if (this.pending) {
      this.pending.push(signal);
      if (this.pending.length > MAX_PENDING_SIGNALS) this.pending.shift();
      return;
    }
    for (const listener of this.signalListeners) this.call(() => listener(signal));
  }

  // A throwing listener must not break the informer's callback chain.
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ error: (err as Error).message }, 'kubernetes: listener failed');
    }
  }
}

/** An informer started once `first` settled; stopping before then means it never starts. */
function startAfter(first: Promise<void>, start: () => RunningInformer): RunningInformer {
  let inner: RunningInformer | undefined;
  let stopped = false;
  const started = first.then(() => {
    if (stopped) return;
    inner = start();
    return inner.started;
  });
  return {
    started,
    stop: async () => {
      stopped = true;
      await inner?.stop();
    },
  };
}

function objectKey(o: KubernetesObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}
