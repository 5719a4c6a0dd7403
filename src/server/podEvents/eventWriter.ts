// Writes the decided Events to the API server, one at a time, within the rate budget: each request
// (the Event write, and in `labeled` mode the label reads) takes a token; a 429 (API Priority and
// Fairness) or no answer pauses every write for the back-off and puts the write back; a write that
// keeps failing, or one refused for good, is dropped and counted. Creates the Event the first time,
// updates it in place (merge patch) after; a create that finds it there (another replica, a restart)
// updates it instead, so there is never a second object.
import type { PodFacts } from '../../k8s/index.js';
import type { Logger } from '../../log/index.js';
import type { PodRef } from '../../model/index.js';
import { coreV1Event, coreV1Patch, type EventContent, eventName, type PodContainerRef } from './eventObject.js';
import type { KubeAnswer, KubeRequest } from './kubeRequest.js';
import type { EventType } from './message.js';
import type { PodEventMetrics } from './podEventMetrics.js';
import type { LabelCheck } from './podLabels.js';
import { Backoff, TokenBucket } from './rateBudget.js';
import { WriteQueue } from './writeQueue.js';

export interface PendingWrite {
  pod: PodRef;
  message: string;
  type: EventType;
  count: number;
  firstAt: Date;
  lastAt: Date;
  tries: number;
}

export interface WriterOptions {
  request: KubeRequest;
  podFacts: (namespace: string, name: string) => PodFacts | undefined;
  labels: LabelCheck | undefined;
  qps: number;
  burst: number;
  instance: string;
  metrics: PodEventMetrics;
  log: Logger;
  isLeader: () => boolean;
  now?: () => number;
  queueCapacity?: number;
}

const MAX_TRIES = 5;
const MAX_KNOWN = 50_000;

export class EventWriter {
  private readonly queue: WriteQueue<PendingWrite>;
  private readonly bucket: TokenBucket;
  private readonly backoff = new Backoff();
  private readonly now: () => number;
  /** Event names known to exist (created or updated by this writer) */
  private readonly known = new Set<string>();
  private pumping: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private readonly warned = new Set<string>();

  constructor(private readonly o: WriterOptions) {
    this.now = o.now ?? Date.now;
    this.queue = new WriteQueue(o.queueCapacity ?? 1000);
    this.bucket = new TokenBucket(o.qps, o.burst, this.now());
  }

  enqueue(key: string, write: PendingWrite): void {
    const dropped = this.queue.put(key, write);
    if (dropped) this.o.metrics.dropped(dropped);
    this.kick();
  }

  /** Leadership lost: what waits is dropped (the new leader decides the same milestones). */
  clear(): void {
    this.o.metrics.dropped('not_leader', this.queue.clear());
  }

  kick(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.sleepTimer);
    this.wake?.();
    await this.pumping;
  }

  private async pump(): Promise<void> {
    while (!this.stopped && this.queue.size > 0 && this.o.isLeader()) {
      const next = this.queue.take();
      if (!next) break;
      try {
        await this.write(next[0], next[1]);
      } catch (err) {
        if (this.stopped) break;
        this.o.metrics.dropped('api_error');
        this.warnOnce('error', `pod events: a write failed: ${(err as Error).message}`);
      }
    }
  }

  /** Waits for a token of the budget and the end of any back-off. */
  private async take(): Promise<void> {
    for (;;) {
      if (this.stopped) throw new Error('stopped');
      const wait = Math.max(this.backoff.waitMs(this.now()), this.bucket.waitMs(this.now()));
      if (wait === 0 && this.bucket.take(this.now())) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.sleepTimer = setTimeout(resolve, Math.max(wait, 5));
      });
    }
  }

  private async write(key: string, w: PendingWrite): Promise<void> {
    const facts = this.o.podFacts(w.pod.namespace, w.pod.podName);
    const container = facts?.containers.find((c) => c.name === w.pod.container);
    if (!facts || !container || !facts.uid) {
      this.o.metrics.dropped('pod_gone');
      return;
    }
    const ref: PodContainerRef = {
      namespace: w.pod.namespace,
      podName: w.pod.podName,
      podUid: facts.uid,
      container: w.pod.container,
      init: container.init,
      image: w.pod.image,
    };
    if (this.o.labels && !(await this.o.labels.eligible(ref.namespace, ref.podName, ref.podUid, () => this.take()))) return;
    const content: EventContent = {
      message: w.message,
      type: w.type,
      count: w.count,
      firstAt: w.firstAt,
      lastAt: w.lastAt,
      instance: this.o.instance,
    };
    const name = eventName(ref);
    const base = `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/events`;
    const create = async () => {
      await this.take();
      return this.o.request('POST', base, coreV1Event(ref, content));
    };
    const update = async () => {
      await this.take();
      return this.o.request('PATCH', `${base}/${encodeURIComponent(name)}`, coreV1Patch(content));
    };
    let answer: KubeAnswer;
    if (this.known.has(name)) {
      answer = await update();
      if (answer.status === 404) {
        this.known.delete(name); // expired (event TTL) or deleted: made again
        answer = await create();
      }
    } else {
      answer = await create();
      if (answer.status === 409) answer = await update(); // written before, by us or another replica
    }
    if (answer.status === 200 || answer.status === 201) {
      this.known.delete(name);
      this.known.add(name);
      if (this.known.size > MAX_KNOWN) this.known.delete(this.known.values().next().value as string);
      this.backoff.succeeded();
      this.o.metrics.written();
      return;
    }
    const transient = answer.status === 429 || answer.status === 0 || answer.status >= 500;
    if (transient) {
      const until = this.backoff.reject(this.now(), answer.retryAfterSeconds);
      this.o.log.debug(
        { status: answer.status, retryInMs: until - this.now() },
        'pod events: the API server asked to slow down; writes paused',
      );
      if (w.tries + 1 >= MAX_TRIES) this.o.metrics.dropped(answer.status === 429 ? 'rate_limited' : 'api_error');
      else if (!this.queue.putBack(key, { ...w, tries: w.tries + 1 })) this.o.metrics.dropped('superseded');
      return;
    }
    this.o.metrics.dropped('api_error');
    this.warnOnce(
      String(answer.status),
      `pod events: the API server refused an Event write (${answer.status}: ${String(answer.body.message ?? '')}); check RBAC create/patch on events`,
    );
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.o.log.warn({}, message);
  }
}
