// Fan-out of PullEvents to SSE clients. Each event is serialized once (twice at most: with and
// without layers) and the same string is written to every client. A client whose socket is
// backed up gets the latest state of each pull when it drains, never an unbounded backlog.
import type { ServerResponse } from 'node:http';
import type { PullEvent, PullStatus } from '../../model/index.js';
import { isEmptyFilter, matchesFilter, type PullFilter } from '../tracker/pullFilter.js';
import { EventRing } from './eventRing.js';
import { HEARTBEAT, sseMessage, withoutLayers } from './sseFormat.js';

interface BufferedEvent {
  id: number;
  event: PullEvent;
  // Serialized lazily, once, by the first client that needs each form: with no clients connected
  // (or none asking for layers) the cost of JSON is never paid.
  full?: string;
  summary?: string;
}

interface SseClient {
  res: ServerResponse;
  filter: PullFilter;
  layers: boolean;
  /** latest pending message per pull (and layer) while the socket is backed up */
  pending: Map<string, string> | undefined;
}

export interface SseHubOptions {
  bufferSize: number;
  heartbeatMs: number;
  /** bytes queued in a socket beyond which a client counts as slow */
  highWaterBytes: number;
}

const DEFAULTS: SseHubOptions = { bufferSize: 10_000, heartbeatMs: 15_000, highWaterBytes: 256 * 1024 };

export class SseHub {
  private readonly clients = new Set<SseClient>();
  private readonly buffer: EventRing<BufferedEvent>;
  // Ids start at the wall clock in ms so they keep increasing across server restarts: a client's
  // Last-Event-ID from before a restart is then never mistaken for a recent one.
  private seq = Date.now();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly options: SseHubOptions;

  constructor(options: Partial<SseHubOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.buffer = new EventRing(this.options.bufferSize);
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** `id`: an id every replica gives this event (see bus/streamEventIds.ts); used when it keeps ids growing. */
  publish(event: PullEvent, wantedId?: number): void {
    const id = wantedId !== undefined && wantedId > this.seq ? wantedId : this.seq + 1;
    this.seq = id;
    const entry: BufferedEvent = { id, event };
    this.buffer.push(entry);
    for (const c of this.clients) this.deliver(c, entry);
  }

  /**
   * Attaches a response as a client: replays what it missed after `lastEventId` when still
   * buffered, else sends `snapshot()` as pull.progress events; then live events.
   */
  attach(res: ServerResponse, filter: PullFilter, layers: boolean, lastEventId: number | undefined, snapshot: () => PullStatus[]): void {
    const client: SseClient = { res, filter, layers, pending: undefined };
    res.write(': connected\n\n');
    const oldest = this.buffer.oldest()?.id;
    const canReplay = lastEventId !== undefined && oldest !== undefined && lastEventId >= oldest - 1 && lastEventId <= this.seq;
    if (canReplay) {
      for (const e of this.buffer) if (e.id > lastEventId) this.deliver(client, e);
    } else {
      const now = new Date().toISOString();
      for (const pull of snapshot()) {
        const event: PullEvent = { schemaVersion: 'v1', timestamp: now, type: 'pull.progress', nodeName: pull.nodeName, pull };
        if (!this.matches(client, event)) continue;
        res.write(sseMessage(this.seq, JSON.stringify(layers ? event : withoutLayers(event))));
      }
    }
    this.clients.add(client);
    res.on('drain', () => this.flushPending(client));
    res.on('close', () => this.clients.delete(client));
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  private matches(c: SseClient, event: PullEvent): boolean {
    return isEmptyFilter(c.filter) || (event.pull !== undefined && matchesFilter(event.pull, c.filter));
  }

  private deliver(c: SseClient, e: BufferedEvent): void {
    if (!this.matches(c, e.event)) return;
    const text = c.layers ? fullText(e) : summaryText(e);
    if (c.pending || c.res.writableLength > this.options.highWaterBytes) {
      // Coalesce: keep only the newest message per pull (per layer for layer events).
      c.pending ??= new Map();
      const key = `${e.event.pull?.id ?? ''}/${e.event.layer?.digest ?? ''}`;
      c.pending.delete(key);
      c.pending.set(key, text);
      return;
    }
    c.res.write(text);
  }

  private flushPending(c: SseClient): void {
    const pending = c.pending;
    if (!pending) return;
    c.pending = undefined;
    for (const [key, text] of pending) {
      if (c.pending) c.pending.set(key, text);
      else if (c.res.writableLength > this.options.highWaterBytes) c.pending = new Map([[key, text]]);
      else c.res.write(text);
    }
  }

  private beat(): void {
    for (const c of this.clients) if (!c.pending) c.res.write(HEARTBEAT);
  }
}

function fullText(e: BufferedEvent): string {
  if (e.full === undefined) e.full = sseMessage(e.id, JSON.stringify(e.event));
  return e.full;
}

function summaryText(e: BufferedEvent): string {
  if (e.summary === undefined) e.summary = sseMessage(e.id, JSON.stringify(withoutLayers(e.event)));
  return e.summary;
}
