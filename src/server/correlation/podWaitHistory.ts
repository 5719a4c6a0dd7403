// Which containers waited on an image on each node, and until when. A kubelet Event may change a
// pull only for a pod that waited on it (kubeCorrelator.ts); a pod's wait ends as its pull ends
// (the container starts, or waits for something else), often before the Event arrives, so the
// end is remembered for a while. Bounded per node; pure (times come in).

export interface WaitingContainerRef {
  namespace: string;
  podName: string;
  container: string;
  /** the image, normalized */
  image: string;
}

export interface Wait {
  image: string;
  /** when it was last seen waiting: ms since the epoch; undefined while it still waits */
  until: number | undefined;
}

const key = (namespace: string, podName: string, container: string) => `${namespace}/${podName}/${container}`;

export class PodWaitHistory {
  private readonly byNode = new Map<string, Map<string, Wait>>();

  constructor(
    /** an ended wait is forgotten after this long */
    private readonly memoryMs = 10 * 60_000,
    /** most waits remembered per node (ended ones are forgotten first) */
    private readonly maxPerNode = 2_000,
  ) {}

  /** The node's containers waiting now: they wait; those no longer among them stopped at `now`. */
  observe(nodeName: string, waiting: WaitingContainerRef[], now: number): void {
    const waits = this.byNode.get(nodeName) ?? new Map<string, Wait>();
    const current = new Set<string>();
    for (const w of waiting) {
      const k = key(w.namespace, w.podName, w.container);
      current.add(k);
      waits.set(k, { image: w.image, until: undefined });
    }
    for (const [k, wait] of waits) {
      if (wait.until === undefined && !current.has(k)) wait.until = now;
    }
    this.store(nodeName, waits, now);
  }

  /** Containers seen waiting (e.g. on a pull the tracker just refreshed), without ending others. */
  noteWaiting(nodeName: string, waiting: WaitingContainerRef[], now: number): void {
    if (waiting.length === 0) return;
    const waits = this.byNode.get(nodeName) ?? new Map<string, Wait>();
    for (const w of waiting) waits.set(key(w.namespace, w.podName, w.container), { image: w.image, until: undefined });
    this.store(nodeName, waits, now);
  }

  /** The container's wait on the node, when remembered. */
  waitOf(nodeName: string, namespace: string, podName: string, container: string): Wait | undefined {
    return this.byNode.get(nodeName)?.get(key(namespace, podName, container));
  }

  /** remembered waits (tests, bounds checks) */
  get size(): number {
    let n = 0;
    for (const waits of this.byNode.values()) n += waits.size;
    return n;
  }

  private store(nodeName: string, waits: Map<string, Wait>, now: number): void {
    for (const [k, wait] of waits) if (wait.until !== undefined && now - wait.until > this.memoryMs) waits.delete(k);
    if (waits.size > this.maxPerNode) {
      // ended waits first, the longest ended first; then the oldest still waiting (Map order)
      const ended = [...waits].filter(([, w]) => w.until !== undefined).sort((a, b) => (a[1].until ?? 0) - (b[1].until ?? 0));
      for (const [k] of ended) {
        if (waits.size <= this.maxPerNode) break;
        waits.delete(k);
      }
      for (const k of waits.keys()) {
        if (waits.size <= this.maxPerNode) break;
        waits.delete(k);
      }
    }
    if (waits.size === 0) this.byNode.delete(nodeName);
    else this.byNode.set(nodeName, waits);
  }
}
