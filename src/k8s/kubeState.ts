// What the server remembers from the Kubernetes API: waiting containers per node, recent
// `Pulling` references per node, and which kubelet events were already passed on. Plain data in,
// no I/O, so the informer plumbing stays thin and this stays testable. Everything is bounded:
// pods leave when deleted or no longer waiting, events and references expire after `retentionMs`
// (the API server's own event TTL is 1 h) and are capped in number.
import { formatDockerRef, type ImageRef, parsedRefsMatch, tryParseImageRef } from './imageRef.js';
import { type KubeletEvent, parseKubeletEvent } from './kubeletEvent.js';
import { waitingContainers } from './podWaiting.js';

/** A classified kubelet image event, passed on once per occurrence. */
export interface KubeSignal extends KubeletEvent {
  /** `image` normalized (docker.io/library/…:tag), undefined when it does not parse */
  normalizedImage?: string;
  /** true when the event already existed at the first list (before this process watched) */
  backlog: boolean;
}

export interface WaitingPod {
  namespace: string;
  podName: string;
  podUid: string;
  nodeName: string;
  container: string;
  init: boolean;
  /** the image as the pod spec wrote it */
  image: string;
  /** normalized form of `image` (the written string when it does not parse) */
  normalizedImage: string;
  reason: string;
  message?: string;
}

export interface KubeStateLimits {
  /** forget events and Pulling references older than this */
  retentionMs: number;
  /** most events remembered for de-duplication */
  maxEvents: number;
  /** most Pulling references remembered per node */
  maxPullingPerNode: number;
}

export const DEFAULT_LIMITS: KubeStateLimits = { retentionMs: 60 * 60_000, maxEvents: 50_000, maxPullingPerNode: 256 };

const IMAGE_KINDS = new Set([
  'pulling',
  'pulled',
  'alreadyPresent',
  'pullFailed',
  'errorCompanion',
  'backOff',
  'neverPull',
  'inspectFailed',
]);

// A ref the pull tracker holds may be registry/repository only and may lack the registry port.
const PULL_MATCH = { portless: true, bAnyTag: true } as const;

interface PodEntry {
  nodeName: string;
  waiting: Array<{ pod: WaitingPod; parsed: ImageRef | undefined }>;
  fingerprint: string;
}

interface PullingRef {
  image: string;
  parsed: ImageRef;
  at: number;
}

export class KubeState {
  private readonly pods = new Map<string, PodEntry>();
  private readonly podsByNode = new Map<string, Set<string>>();
  // event uid → highest count passed on; Map order = least recently seen first
  private readonly seen = new Map<string, { count: number; at: number }>();
  private readonly pulling = new Map<string, PullingRef[]>();

  constructor(private readonly limits: KubeStateLimits = DEFAULT_LIMITS) {}

  /** Records a pod's waiting containers; returns the nodes whose waiting set changed. */
  setPod(pod: unknown): string[] {
    const key = podKey(pod);
    if (!key) return [];
    const waiting = waitingContainers(pod).map((w) => {
      const parsed = tryParseImageRef(w.image);
      return { pod: { ...w, normalizedImage: parsed ? formatDockerRef(parsed) : w.image }, parsed };
    });
    const old = this.pods.get(key);
    if (waiting.length === 0) return old ? this.removeKey(key) : [];
    const nodeName = (waiting[0] as { pod: WaitingPod }).pod.nodeName;
    const fingerprint = JSON.stringify(waiting.map((w) => w.pod));
    if (old && old.fingerprint === fingerprint) return [];
    const changed = old && old.nodeName !== nodeName ? this.removeKey(key) : [];
    this.pods.set(key, { nodeName, waiting, fingerprint });
    let keys = this.podsByNode.get(nodeName);
    if (!keys) {
      keys = new Set();
      this.podsByNode.set(nodeName, keys);
    }
    keys.add(key);
    return [...changed, nodeName];
  }

  /** Forgets a deleted pod; returns the nodes whose waiting set changed. */
  removePod(pod: unknown): string[] {
    const key = podKey(pod);
    return key && this.pods.has(key) ? this.removeKey(key) : [];
  }

  private removeKey(key: string): string[] {
    const entry = this.pods.get(key);
    if (!entry) return [];
    this.pods.delete(key);
    const keys = this.podsByNode.get(entry.nodeName);
    keys?.delete(key);
    if (keys && keys.size === 0) this.podsByNode.delete(entry.nodeName);
    return [entry.nodeName];
  }

  /** true while the pod has waiting containers */
  hasPod(pod: unknown): boolean {
    const key = podKey(pod);
    return key !== undefined && this.pods.has(key);
  }

  waitingOn(nodeName: string): WaitingPod[] {
    const out: WaitingPod[] = [];
    for (const key of this.podsByNode.get(nodeName) ?? []) {
      for (const w of this.pods.get(key)?.waiting ?? []) out.push({ ...w.pod });
    }
    return out;
  }

  waitingFor(nodeName: string, imageRef: string): WaitingPod[] {
    const want = tryParseImageRef(imageRef);
    if (!want) return [];
    const out: WaitingPod[] = [];
    for (const key of this.podsByNode.get(nodeName) ?? []) {
      for (const w of this.pods.get(key)?.waiting ?? []) {
        if (w.parsed && parsedRefsMatch(w.parsed, want, PULL_MATCH)) out.push({ ...w.pod });
      }
    }
    return out;
  }

  /**
   * Takes an Event object from the informer; returns a signal when it is a kubelet image event
   * not passed on before (a count++ repeat is a new occurrence; a relist replay is not).
   */
  acceptEvent(eventObject: unknown, backlog: boolean, now: number): KubeSignal | undefined {
    const signal = this.newOccurrence(eventObject, backlog, now);
    if (signal) this.notePulling(signal);
    return signal;
  }

  /**
   * The de-duplication half of acceptEvent: a signal for an occurrence not seen before, not yet
   * remembered as kubelet's reference (the caller checks it against its pod first, then calls
   * notePulling).
   */
  newOccurrence(eventObject: unknown, backlog: boolean, now: number): KubeSignal | undefined {
    const ev = parseKubeletEvent(eventObject, now);
    if (!ev || !IMAGE_KINDS.has(ev.kind)) return undefined;
    if (now - ev.at > this.limits.retentionMs) return undefined;
    const prior = this.seen.get(ev.eventUid);
    if (prior && prior.count >= ev.count) return undefined;
    this.seen.delete(ev.eventUid);
    this.seen.set(ev.eventUid, { count: ev.count, at: ev.at });
    if (this.seen.size > this.limits.maxEvents) this.seen.delete(this.seen.keys().next().value as string);
    const parsed = ev.image ? tryParseImageRef(ev.image) : undefined;
    const signal: KubeSignal = { ...ev, backlog };
    if (parsed) signal.normalizedImage = formatDockerRef(parsed);
    return signal;
  }

  /** Remembers a believed `Pulling image "…"` as kubelet's exact reference on its node. */
  notePulling(signal: KubeSignal): void {
    if (signal.kind !== 'pulling' || !signal.nodeName) return;
    const parsed = signal.image ? tryParseImageRef(signal.image) : undefined;
    if (parsed) this.rememberPulling(signal.nodeName, { image: signal.image, parsed, at: signal.at });
  }

  private rememberPulling(nodeName: string, ref: PullingRef): void {
    let refs = this.pulling.get(nodeName);
    if (!refs) {
      refs = [];
      this.pulling.set(nodeName, refs);
    }
    refs.push(ref);
    refs.sort((a, b) => a.at - b.at);
    if (refs.length > this.limits.maxPullingPerNode) refs.splice(0, refs.length - this.limits.maxPullingPerNode);
  }

  /** The newest `Pulling image "…"` reference on the node whose repository matches, as written. */
  exactRefFor(nodeName: string, imageRef: string): string | undefined {
    const want = tryParseImageRef(imageRef);
    const refs = this.pulling.get(nodeName);
    if (!want || !refs) return undefined;
    for (let i = refs.length - 1; i >= 0; i--) {
      const ref = refs[i] as PullingRef;
      if (parsedRefsMatch(ref.parsed, want, PULL_MATCH)) return ref.image;
    }
    return undefined;
  }

  /** Drops events and references older than the retention window. */
  prune(now: number): void {
    const cutoff = now - this.limits.retentionMs;
    for (const [uid, s] of this.seen) if (s.at < cutoff) this.seen.delete(uid);
    for (const [node, refs] of this.pulling) {
      const kept = refs.filter((r) => r.at >= cutoff);
      if (kept.length === 0) this.pulling.delete(node);
      else this.pulling.set(node, kept);
    }
  }

  /** sizes of the remembered sets (for tests and bounds checks) */
  sizes(): { pods: number; events: number; pullingRefs: number } {
    let pullingRefs = 0;
    for (const refs of this.pulling.values()) pullingRefs += refs.length;
    return { pods: this.pods.size, events: this.seen.size, pullingRefs };
  }
}

function podKey(pod: unknown): string | undefined {
  const meta = (pod as { metadata?: { uid?: unknown; namespace?: unknown; name?: unknown } } | undefined)?.metadata;
  if (!meta) return undefined;
  if (typeof meta.uid === 'string' && meta.uid) return meta.uid;
  if (typeof meta.name === 'string') return `${String(meta.namespace ?? '')}/${meta.name}`;
  return undefined;
}
