// Fan-out of PullEvents to SSE clients, coalesced. Events are collected between flushes (every
// `flushMs`); at each flush every client is sent, as one write, the newest state of each pull
// (and layer) that changed and every lifecycle transition, in order (see coalescedBatch.ts).
// Clients that share a variant (layers or not, same filter) share one serialized chunk, written
// as the same Buffer to each: JSON and memory are paid once per variant, not per client. The
// snapshot a new client starts from is shared the same way. A client whose socket is backed up
// is sent the newest state when it drains; one whose unsent data passes `maxUnsentBytes` is
// dropped, so a client that never reads costs a bounded amount and then nothing.
import type { ServerResponse } from 'node:http';
import type { PullEvent, PullStatus } from '../../model/index.js';
import { isEmptyFilter, matchesFilter, type PullFilter } from '../tracker/pullFilter.js';
import { CoalescedBatch, type HubEntry, isTransition } from './coalescedBatch.js';
import { EventRing } from './eventRing.js';
import { HEARTBEAT, sseMessage, withoutLayers } from './sseFormat.js';

interface SseClient {
  res: ServerResponse;
  filter: PullFilter;
  layers: boolean;
  address: string;
  /** clients with the same variant key are sent the same bytes */
  variant: string;
  /** newest event id this client has (from its snapshot or replay); older batch entries are skipped */
  sentUpTo: number;
  /** while the socket is backed up: what it will be sent when it drains, coalesced */
  backlog: CoalescedBatch | undefined;
  /**
   * bytes of the transitions in the backlog: its progress is bounded by the state of the pulls
   * (newest per pull and layer), its transitions only by time
   */
  backlogTransitionBytes: number;
  /** when the socket last drained (or the backlog began) */
  backedUpSince: number;
  /** unsent bytes allowed before the client is dropped (its first snapshot is allowed on top) */
  allowance: number;
}

export interface SseDropInfo {
  address: string;
  unsentBytes: number;
  limitBytes: number;
}

export interface SseHubOptions {
  /** events kept for Last-Event-ID replay */
  bufferSize: number;
  heartbeatMs: number;
  /** how often changes are delivered */
  flushMs: number;
  /** unsent bytes beyond which a client counts as backed up and is sent the newest state when it drains */
  highWaterBytes: number;
  /**
   * unsent bytes beyond which a client is dropped: checked, before each write, on what its socket
   * still holds (its initial snapshot is allowed on top), and on the transitions waiting for it
   * while backed up (the progress waiting is at most the newest state of each pull and layer)
   */
  maxUnsentBytes: number;
  /** a backed-up client whose socket has not drained for this long is dropped */
  stuckMs: number;
  /** called once per dropped client */
  onDrop: (info: SseDropInfo) => void;
}

export interface SseAttachOptions {
  filter: PullFilter;
  layers: boolean;
  /** remote address, for the per-address stream cap */
  address: string;
  lastEventId: number | undefined;
  /** the current pulls, filtered, with or without layers as asked */
  snapshot: () => PullStatus[];
}

const DEFAULTS: SseHubOptions = {
  bufferSize: 10_000,
  heartbeatMs: 15_000,
  flushMs: 250,
  highWaterBytes: 256 * 1024,
  maxUnsentBytes: 4 * 1024 * 1024,
  stuckMs: 60_000,
  onDrop: () => {},
};

interface SharedSnapshot {
  seq: number;
  chunk: Buffer;
}

export class SseHub {
  private readonly clients = new Set<SseClient>();
  private readonly perAddress = new Map<string, number>();
  private readonly buffer: EventRing<HubEntry>;
  // Ids start at the wall clock in ms so they keep increasing across server restarts: a client's
  // Last-Event-ID from before a restart is then never mistaken for a recent one.
  private seq = Date.now();
  private pending = new CoalescedBatch();
  private readonly snapshots = new Map<string, SharedSnapshot>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly flusher: NodeJS.Timeout;
  private readonly options: SseHubOptions;

  constructor(options: Partial<SseHubOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.buffer = new EventRing(this.options.bufferSize);
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
    this.heartbeat.unref();
    this.flusher = setInterval(() => this.flush(), this.options.flushMs);
    this.flusher.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Streams open from one remote address. */
  countFor(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  publish(event: PullEvent): void {
    const entry: HubEntry = { id: ++this.seq, event };
    this.buffer.push(entry);
    // Nobody to deliver to: nothing is collected (a client that arrives gets a fresh snapshot).
    if (this.clients.size > 0) this.pending.add(entry);
    else if (this.snapshots.size > 0) this.snapshots.clear();
  }

  /**
   * Attaches a response as a client: replays what it missed after `lastEventId` when still
   * buffered (coalesced), else sends the shared snapshot as pull.progress events; then live events.
   */
  attach(res: ServerResponse, o: SseAttachOptions): void {
    const variant = `${o.layers ? 'L' : 'S'}${isEmptyFilter(o.filter) ? '' : JSON.stringify(o.filter)}`;
    const client: SseClient = {
      res,
      filter: o.filter,
      layers: o.layers,
      address: o.address,
      variant,
      sentUpTo: this.seq,
      backlog: undefined,
      backlogTransitionBytes: 0,
      backedUpSince: 0,
      allowance: this.options.maxUnsentBytes,
    };
    res.write(': connected\n\n');
    const oldest = this.buffer.oldest()?.id;
    const lastId = o.lastEventId;
    const canReplay = lastId !== undefined && oldest !== undefined && lastId >= oldest - 1 && lastId <= this.seq;
    if (canReplay) {
      const missed = new CoalescedBatch();
      for (const e of this.buffer) if (e.id > lastId) missed.add(e);
      const chunk = this.chunkFor(client, missed.list(), 0);
      if (chunk.length > 0) res.write(chunk);
      client.allowance += chunk.length;
    } else {
      const snap = this.sharedSnapshot(variant, o);
      client.sentUpTo = snap.seq;
      if (snap.chunk.length > 0) res.write(snap.chunk);
      client.allowance += snap.chunk.length;
    }
    this.clients.add(client);
    this.perAddress.set(o.address, this.countFor(o.address) + 1);
    res.on('drain', () => this.onDrain(client));
    res.on('close', () => this.remove(client));
  }

  close(): void {
    clearInterval(this.heartbeat);
    clearInterval(this.flusher);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
    this.perAddress.clear();
  }

  /** Delivers what changed since the last flush; runs every `flushMs`. */
  flush(): void {
    this.snapshots.clear();
    if (this.pending.size === 0) return;
    const batch = this.pending.list();
    this.pending = new CoalescedBatch();
    const firstId = (batch[0] as HubEntry).id;
    const chunks = new Map<string, Buffer>();
    for (const c of [...this.clients]) {
      if (c.backlog) {
        this.addToBacklog(c, c.backlog, batch);
        continue;
      }
      // A client that joined during this interval already has what its snapshot held.
      const since = c.sentUpTo >= firstId ? c.sentUpTo : 0;
      const key = `${c.variant}|${since}`;
      let chunk = chunks.get(key);
      if (chunk === undefined) {
        chunk = this.chunkFor(c, batch, since);
        chunks.set(key, chunk);
      }
      this.send(c, chunk);
    }
    for (const c of this.clients) c.sentUpTo = Math.max(c.sentUpTo, (batch.at(-1) as HubEntry).id);
    // Delivered: the replay buffer keeps the event, not its text (at 5,000 reports/s the texts of
    // 10,000 buffered events are tens of MB). A replay or a backed-up client serializes again.
    for (const e of batch) {
      e.full = undefined;
      e.summary = undefined;
    }
  }

  // ---- internals ----

  private sharedSnapshot(variant: string, o: SseAttachOptions): SharedSnapshot {
    const cached = this.snapshots.get(variant);
    // Reused by every client that connects before the next flush (flush() forgets it, as its
    // clients are then sent only what is newer): a thousand clients connecting at once cost one.
    if (cached) return cached;
    const now = new Date().toISOString();
    const parts: string[] = [];
    for (const pull of o.snapshot()) {
      const event: PullEvent = { schemaVersion: 'v1', timestamp: now, type: 'pull.progress', nodeName: pull.nodeName, pull };
      parts.push(sseMessage(this.seq, JSON.stringify(o.layers ? event : withoutLayers(event))));
    }
    const snap = { seq: this.seq, chunk: Buffer.from(parts.join('')) };
    this.snapshots.set(variant, snap);
    return snap;
  }

  private wants(c: SseClient, e: HubEntry): boolean {
    if (e.event.layer && !c.layers) return false;
    return isEmptyFilter(c.filter) || (e.event.pull !== undefined && matchesFilter(e.event.pull, c.filter));
  }

  private chunkFor(c: SseClient, entries: HubEntry[], since: number): Buffer {
    const parts: string[] = [];
    for (const e of entries) if (e.id > since && this.wants(c, e)) parts.push(c.layers ? fullText(e) : summaryText(e));
    return Buffer.from(parts.join(''));
  }

  private send(c: SseClient, chunk: Buffer): void {
    // What is still queued from earlier writes is what counts: one flush's chunk may be large.
    if (c.res.writableLength > c.allowance) {
      this.drop(c, c.res.writableLength);
      return;
    }
    if (chunk.length > 0) c.res.write(chunk);
    if (c.res.writableLength > this.options.highWaterBytes) {
      c.backlog = new CoalescedBatch();
      c.backlogTransitionBytes = 0;
      c.backedUpSince = performance.now();
    }
  }

  private addToBacklog(c: SseClient, backlog: CoalescedBatch, batch: HubEntry[]): void {
    for (const e of batch) {
      if (e.id <= c.sentUpTo || !this.wants(c, e)) continue;
      backlog.add(e);
      if (isTransition(e.event)) c.backlogTransitionBytes += this.textOf(c, e).length;
    }
    const waiting = c.res.writableLength + c.backlogTransitionBytes;
    if (c.backlogTransitionBytes > this.options.maxUnsentBytes) this.drop(c, waiting);
    else if (performance.now() - c.backedUpSince > this.options.stuckMs) this.drop(c, waiting);
  }

  private textOf(c: SseClient, e: HubEntry): string {
    return c.layers ? fullText(e) : summaryText(e);
  }

  private onDrain(c: SseClient): void {
    c.allowance = this.options.maxUnsentBytes;
    const backlog = c.backlog;
    if (!backlog || !this.clients.has(c)) return;
    c.backlog = undefined;
    this.send(c, this.chunkFor(c, backlog.list(), 0));
  }

  private drop(c: SseClient, unsentBytes: number): void {
    if (!this.clients.has(c)) return;
    this.remove(c);
    this.options.onDrop({ address: c.address, unsentBytes, limitBytes: this.options.maxUnsentBytes });
    c.res.destroy();
  }

  private remove(c: SseClient): void {
    if (!this.clients.delete(c)) return;
    const n = this.countFor(c.address) - 1;
    if (n > 0) this.perAddress.set(c.address, n);
    else this.perAddress.delete(c.address);
  }

  private beat(): void {
    for (const c of this.clients) if (!c.backlog) c.res.write(HEARTBEAT);
  }
}

function fullText(e: HubEntry): string {
  if (e.full === undefined) e.full = sseMessage(e.id, JSON.stringify(e.event));
  return e.full;
}

function summaryText(e: HubEntry): string {
  if (e.summary === undefined) e.summary = sseMessage(e.id, JSON.stringify(withoutLayers(e.event)));
  return e.summary;
}
