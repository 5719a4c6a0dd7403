// PULLTRACE_POD_EVENTS=labeled: a pod gets Events when it, or its namespace, carries the label
// pulltrace.io/events=enabled. Read with a GET, remembered for a while (a namespace's label for a
// minute, a pod's for ten), so a rollout of N pods in one namespace costs N pod reads and one
// namespace read.
import type { KubeRequest } from './kubeRequest.js';

export const EVENTS_LABEL = 'pulltrace.io/events';
export const EVENTS_LABEL_VALUE = 'enabled';
const NAMESPACE_TTL_MS = 60_000;
const POD_TTL_MS = 10 * 60_000;
const MAX_CACHED = 10_000;

/** The label value of an object as the API answered it (undefined for a 404 or no labels). */
export function isLabelled(object: Record<string, unknown> | undefined): boolean {
  const labels = ((object?.metadata as Record<string, unknown> | undefined)?.labels ?? {}) as Record<string, unknown>;
  return labels[EVENTS_LABEL] === EVENTS_LABEL_VALUE;
}

export class LabelCheck {
  private readonly cache = new Map<string, { labelled: boolean; until: number }>();

  constructor(
    private readonly request: KubeRequest,
    private readonly now: () => number,
    private readonly onError: (what: string, status: number, message: string) => void,
  ) {}

  /** `take` is awaited before each API read (the writer's rate budget). */
  async eligible(namespace: string, podName: string, podUid: string, take: () => Promise<void>): Promise<boolean> {
    if (
      await this.labelled(
        `pod/${namespace}/${podName}/${podUid}`,
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}`,
        POD_TTL_MS,
        take,
      )
    )
      return true;
    return this.labelled(`ns/${namespace}`, `/api/v1/namespaces/${encodeURIComponent(namespace)}`, NAMESPACE_TTL_MS, take);
  }

  private async labelled(key: string, path: string, ttlMs: number, take: () => Promise<void>): Promise<boolean> {
    const hit = this.cache.get(key);
    if (hit && hit.until > this.now()) return hit.labelled;
    await take();
    const answer = await this.request('GET', path);
    if (answer.status !== 200 && answer.status !== 404) {
      this.onError(`read ${path}`, answer.status, String(answer.body.message ?? ''));
      return false; // not remembered: asked again next time
    }
    const labelled = answer.status === 200 && isLabelled(answer.body);
    this.cache.delete(key);
    this.cache.set(key, { labelled, until: this.now() + ttlMs });
    if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    return labelled;
  }
}
