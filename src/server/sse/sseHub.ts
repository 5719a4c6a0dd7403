// Fan-out of PullEvents to SSE clients, coalesced. Events are collected between flushes (every
// `flushMs`); at each flush every client is sent, as one write, the newest state of each pull
// (and layer) that changed and every lifecycle transition, in order (see coalescedBatch.ts).
// Clients that share a variant (layers or not, same filter) share one serialized chunk, written
// as the same Buffer to each: JSON and memory are paid once per variant, not per client. The
// snapshot a new client starts from is shared the same way. A client whose socket is backed up
// is written nothing more until it drains; then it is sent what it missed, coalesced, from the
// replay buffer (or a fresh snapshot if the buffer no longer reaches back): a slow client costs
// no memory of its own. One whose socket takes no byte for `stallMs` while data waits, or whose
// unsent data passes `maxUnsentBytes`, is dropped; at the stream cap, a new client may take the
// place of the longest-stalled one (evictLongestStalled).
import type { ServerResponse } from 'node:http';
import type { PullEvent, PullStatus } from '../../model/index.js';
import { isEmptyFilter, matchesFilter, type PullFilter } from '../../pulls/index.js';
import { guarded } from '../faultReport.js';
import { CoalescedBatch, type HubEntry } from './coalescedBatch.js';
import { eventJson, PullJsonCache } from './eventJson.js';
import { EventRing } from './eventRing.js';
import { HEARTBEAT, sseMessage } from './sseFormat.js';
import { lookAtStream, NOT_STALLED, type StreamProgress, stalledFor } from './streamProgress.js';

interface SseClient {
  res: ServerResponse;
  filter: PullFilter;
  layers: boolean;
  address: string;
  snapshot: () => PullStatus[];
  /** clients with the same variant key are sent the same bytes */
  variant: string;
  /** newest event id this client has (from its snapshot, replay or last write) */
  sentUpTo: number;
  /** its socket backed up: written nothing more until it drains */
  backedUp: boolean;
  /** whether its socket takes what waits (see streamProgress.ts) */
  progress: StreamProgress;
  /** unsent bytes allowed before the client is dropped (its first snapshot is allowed on top) */
  allowance: number;
  /** a snapshot or catch-up is being written a piece at a time (see writePieces) */
  writingPieces: boolean;
}

export interface SseDropInfo {
  address: string;
  /** unsent: fell too far behind; stalled: took nothing for stallMs; evicted: stalled, and its place was wanted */
  reason: 'unsent' | 'stalled' | 'evicted';
  unsentBytes: number;
  limitBytes: number;
}

export interface SseHubOptions {
  /** events kept for Last-Event-ID replay and for catching up clients that were backed up */
  bufferSize: number;
  heartbeatMs: number;
  /** how often changes are delivered */
  flushMs: number;
  /** unsent bytes beyond which a client counts as backed up: nothing more is written until it drains */
  highWaterBytes: number;
  /** unsent bytes beyond which a client is dropped (its initial snapshot is allowed on top) */
  maxUnsentBytes: number;
  /** a client whose socket takes no byte for this long while data waits is dropped (PULLTRACE_SSE_STALL_TIMEOUT) */
  stallMs: number;
  /** called once per dropped client */
  onDrop: (info: SseDropInfo) => void;
  /**
   * an event or snapshot pull that could not be filtered or serialized (a malformed pull), or a
   * flush that failed: it is skipped for that client, and the hub carries on
   */
  onFault: (where: string, err: unknown) => void;
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
  stallMs: 30_000,
  onDrop: () => {},
  onFault: () => {},
};

/** Snapshots and catch-ups larger than this are written a piece at a time (see writeCatchUp). */
export const SNAPSHOT_PIECE_BYTES = 64 * 1024;
/**
 * A stream stalled at least this long (or stallMs, if shorter) may be evicted for a new client at
 * the cap: long enough that a reader on a slow link, which takes a piece now and then, is not.
 */
export const EVICTABLE_AFTER_MS = 1_000;
const NOTHING = Buffer.alloc(0);

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
  /** entries whose texts were built since the last flush (forgotten then: see flush) */
  private withText: HubEntry[] = [];
  /** each pull status's JSON, made once for all the events that carry it (cleared with the texts) */
  private readonly pullJson = new PullJsonCache();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly flusher: NodeJS.Timeout;
  private readonly options: SseHubOptions;

  constructor(options: Partial<SseHubOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.buffer = new EventRing(this.options.bufferSize);
    // Nothing thrown in a timer may end the process: a failure is reported, the next tick runs.
    this.heartbeat = setInterval(() => this.guarded('sse heartbeat', () => this.beat()), this.options.heartbeatMs);
    this.heartbeat.unref();
    this.flusher = setInterval(() => this.guarded('sse flush', () => this.flush()), this.options.flushMs);
    this.flusher.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Streams open from one remote address. */
  countFor(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  /** `wantedId`: an id every replica gives this event (see bus/streamEventIds.ts); used when it keeps ids growing. */
  publish(event: PullEvent, wantedId?: number): void {
    const id = wantedId !== undefined && wantedId > this.seq ? wantedId : this.seq + 1;
    this.seq = id;
    const entry: HubEntry = { id, event };
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
      snapshot: o.snapshot,
      variant,
      sentUpTo: this.seq,
      backedUp: false,
      progress: NOT_STALLED,
      allowance: this.options.maxUnsentBytes,
      writingPieces: false,
    };
    res.write(': connected\n\n');
    const chunk = this.catchUp(client, o.lastEventId);
    client.allowance += chunk.length;
    this.clients.add(client);
    this.perAddress.set(o.address, this.countFor(o.address) + 1);
    res.on('drain', () => this.onDrain(client));
    res.on('close', () => this.remove(client));
    this.writeCatchUp(client, chunk);
  }

  /**
   * Closes the stream that has taken nothing for longest while data waited, if one has for at
   * least EVICTABLE_AFTER_MS, so that a new client can have its place. False when none has.
   */
  evictLongestStalled(): boolean {
    const now = performance.now();
    let longest: SseClient | undefined;
    for (const c of this.clients) {
      this.look(c, now);
      if (longest === undefined || stalledFor(c.progress, now) > stalledFor(longest.progress, now)) longest = c;
    }
    if (longest === undefined || stalledFor(longest.progress, now) < Math.min(EVICTABLE_AFTER_MS, this.options.stallMs)) return false;
    this.drop(longest, 'evicted');
    return true;
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
    const now = performance.now();
    const batch = this.pending.size > 0 ? this.pending.list() : [];
    // A snapshot stays good while no event came after it (see sharedSnapshot).
    if (batch.length > 0) this.snapshots.clear();
    this.pending = new CoalescedBatch();
    const firstId = batch[0]?.id ?? Number.POSITIVE_INFINITY;
    const chunks = new Map<string, Buffer>();
    for (const c of [...this.clients]) {
      this.look(c, now);
      if (stalledFor(c.progress, now) > this.options.stallMs) {
        this.drop(c, 'stalled');
        continue;
      }
      // Caught up from the replay buffer when it drains; until then it costs nothing.
      if (c.backedUp) continue;
      if (batch.length === 0) continue;
      // A client that joined during this interval already has what its snapshot held.
      const since = c.sentUpTo >= firstId ? c.sentUpTo : 0;
      const key = `${c.variant}|${since}`;
      let chunk = chunks.get(key);
      if (chunk === undefined) {
        chunk = this.chunkFor(c, batch, since);
        chunks.set(key, chunk);
      }
      this.send(c, chunk, (batch.at(-1) as HubEntry).id);
    }
    // Delivered: the replay buffer keeps the events, not their texts (at 5,000 reports/s the
    // texts of 10,000 buffered events are tens of MB). A replay serializes again.
    for (const e of this.withText) {
      e.full = undefined;
      e.summary = undefined;
    }
    this.withText = [];
    this.pullJson.clear();
  }

  // ---- internals ----

  /**
   * What a client that has everything up to `after` is sent to be current: what it missed from
   * the replay buffer, coalesced, or the shared snapshot if the buffer no longer reaches back.
   * Sets its `sentUpTo`.
   */
  private catchUp(c: SseClient, after: number | undefined): Buffer {
    // Nothing published since: nothing to send (and no snapshot again, even with an empty buffer).
    if (after !== undefined && after === this.seq) return NOTHING;
    const oldest = this.buffer.oldest()?.id;
    const canReplay = after !== undefined && oldest !== undefined && after >= oldest - 1 && after <= this.seq;
    if (canReplay) {
      const missed = new CoalescedBatch();
      for (const e of this.buffer) if (e.id > after) missed.add(e);
      c.sentUpTo = this.seq;
      return this.chunkFor(c, missed.list(), 0);
    }
    const snap = this.sharedSnapshot(c);
    c.sentUpTo = snap.seq;
    return snap.chunk;
  }

  private sharedSnapshot(c: SseClient): SharedSnapshot {
    const cached = this.snapshots.get(c.variant);
    // Reused by every client that connects while no event came after it (an event makes flush()
    // forget it): a thousand clients connecting to a quiet server, at once or over minutes, cost
    // one serialization and share one Buffer.
    if (cached && cached.seq === this.seq) return cached;
    const now = new Date().toISOString();
    const parts: string[] = [];
    // Each snapshot pull is its own status object, carried by one event: nothing to share.
    const pullJson = new PullJsonCache();
    let pulls: PullStatus[] = [];
    this.guarded('sse snapshot', () => {
      pulls = c.snapshot();
    });
    for (const pull of pulls) {
      const event: PullEvent = { schemaVersion: 'v1', timestamp: now, type: 'pull.progress', nodeName: pull.nodeName, pull };
      this.guarded('sse snapshot pull', () => parts.push(sseMessage(this.seq, eventJson(event, c.layers, pullJson))));
    }
    const snap = { seq: this.seq, chunk: Buffer.from(parts.join('')) };
    this.snapshots.set(c.variant, snap);
    return snap;
  }

  private wants(c: SseClient, e: HubEntry): boolean {
    if (e.event.layer && !c.layers) return false;
    return isEmptyFilter(c.filter) || (e.event.pull !== undefined && matchesFilter(e.event.pull, c.filter));
  }

  private chunkFor(c: SseClient, entries: HubEntry[], since: number): Buffer {
    const parts: string[] = [];
    for (const e of entries) {
      if (e.id <= since) continue;
      // One event that cannot be filtered or serialized is left out, not the whole batch.
      this.guarded('sse event', () => {
        if (this.wants(c, e)) parts.push(this.textOf(c, e));
      });
    }
    return Buffer.from(parts.join(''));
  }

  private guarded(where: string, work: () => void): void {
    guarded(where, this.options.onFault, work);
  }

  private textOf(c: SseClient, e: HubEntry): string {
    if (e.full === undefined && e.summary === undefined) this.withText.push(e);
    if (c.layers) {
      e.full ??= sseMessage(e.id, eventJson(e.event, true, this.pullJson));
      return e.full;
    }
    e.summary ??= sseMessage(e.id, eventJson(e.event, false, this.pullJson));
    return e.summary;
  }

  private send(c: SseClient, chunk: Buffer, upTo: number): void {
    // What is still queued from earlier writes is what counts: one flush's chunk may be large.
    if (c.res.writableLength > c.allowance) {
      this.drop(c, 'unsent');
      return;
    }
    if (chunk.length > 0) c.res.write(chunk);
    c.sentUpTo = Math.max(c.sentUpTo, upTo);
    if (c.res.writableLength > this.options.highWaterBytes) c.backedUp = true;
  }

  /** Notes whether the client's socket took anything since the last look. */
  private look(c: SseClient, now: number): void {
    const socket = c.res.socket;
    if (!socket) return;
    // bytesWritten counts what was handed to the socket, writableLength what it has not yet
    // passed to the kernel: their difference grows only as the client takes data.
    c.progress = lookAtStream(c.progress, c.res.writableLength, socket.bytesWritten - socket.writableLength, now);
  }

  private onDrain(c: SseClient): void {
    c.allowance = this.options.maxUnsentBytes;
    // While pieces are written, each piece's completion drives the next.
    if (!c.backedUp || c.writingPieces || !this.clients.has(c)) return;
    c.backedUp = false;
    const chunk = this.catchUp(c, c.sentUpTo);
    if (c.res.writableLength > c.allowance) this.drop(c, 'unsent');
    else this.writeCatchUp(c, chunk);
  }

  /**
   * Writes what a client needs to be current (its snapshot, or a catch-up). A large one goes a
   * piece at a time, the next piece once the previous reached the socket: a crowd of clients
   * connecting at once, each sent a snapshot of megabytes, would otherwise have the kernel copy
   * all of it into their sockets in one go, and everything else (health checks, reports) wait.
   * Until the last piece is out the client counts as backed up (flushes skip it); then it is
   * caught up on what happened meanwhile.
   */
  private writeCatchUp(c: SseClient, chunk: Buffer): void {
    if (chunk.length <= SNAPSHOT_PIECE_BYTES) {
      if (chunk.length > 0) c.res.write(chunk);
      if (c.res.writableLength > this.options.highWaterBytes) c.backedUp = true;
      return;
    }
    c.writingPieces = true;
    c.backedUp = true;
    this.writePiece(c, chunk, 0);
  }

  private writePiece(c: SseClient, chunk: Buffer, offset: number): void {
    const end = Math.min(chunk.length, offset + SNAPSHOT_PIECE_BYTES);
    c.res.write(chunk.subarray(offset, end), (err) => {
      if (err || !this.clients.has(c)) return;
      if (end < chunk.length) {
        this.writePiece(c, chunk, end);
        return;
      }
      c.writingPieces = false;
      this.onDrain(c);
    });
  }

  private drop(c: SseClient, reason: SseDropInfo['reason']): void {
    if (!this.clients.has(c)) return;
    this.remove(c);
    this.options.onDrop({ address: c.address, reason, unsentBytes: c.res.writableLength, limitBytes: c.allowance });
    // A client that reads nothing would never take what the kernel still holds for it: a reset
    // frees that at once (a plain close would keep it queued behind the data).
    if (reason !== 'unsent') resetOrClose(c.res);
    else c.res.destroy();
  }

  private remove(c: SseClient): void {
    if (!this.clients.delete(c)) return;
    const n = this.countFor(c.address) - 1;
    if (n > 0) this.perAddress.set(c.address, n);
    else this.perAddress.delete(c.address);
  }

  private beat(): void {
    for (const c of this.clients) if (!c.backedUp) c.res.write(HEARTBEAT);
  }
}

function resetOrClose(res: ServerResponse): void {
  const socket = res.socket;
  try {
    // Only a plain TCP socket can be reset (a TLS socket's handle is not one).
    if (socket && !('encrypted' in socket)) {
      socket.resetAndDestroy();
      return;
    }
  } catch {
    // not resettable after all: closed below
  }
  res.destroy();
}
