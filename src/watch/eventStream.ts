// Follows /api/v1/events: connects, parses the SSE stream, and when the connection drops
// reconnects with Last-Event-ID (the server then sends what was missed, or a fresh snapshot),
// backing off 1 s, 2 s, 4 s… up to 15 s. It tells its user every state change, so the screen or
// the log can say "reconnecting" and "resumed after event N". Client errors (4xx but 429) stop it:
// retrying a wrong URL or a refused permission would only hide the problem; so does a line or
// event past the parser's limit.
import type { PullEvent } from '../model/index.js';
import { SseLimitError, SseParser } from './sseParser.js';
import { HttpError, serverMessage, type Transport } from './transport.js';

export type StreamStatus =
  | { state: 'connecting' }
  | { state: 'live'; resumedAfter?: string; reconnected: boolean }
  | { state: 'reconnecting'; reason: string; inMs: number; attempt: number };

export interface EventStreamHandlers {
  onEvent(event: PullEvent, raw: unknown): void;
  onStatus(status: StreamStatus): void;
}

export interface EventStream {
  /** resolves when closed; rejects on an error that retrying cannot fix */
  done: Promise<void>;
  close(): void;
}

const MAX_BACKOFF_MS = 15_000;

export function followEvents(transport: Transport, query: string, handlers: EventStreamHandlers): EventStream {
  const abort = new AbortController();
  let lastEventId: string | undefined;
  let closed = false;

  const once = async (): Promise<void> => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const res = await transport.get(`/api/v1/events?${query}`, headers, abort.signal);
    if (res.status !== 200) throw new HttpError(res.status, '/api/v1/events', await res.text());
    handlers.onStatus({
      state: 'live',
      reconnected: attempt > 0,
      ...(attempt > 0 && lastEventId !== undefined ? { resumedAfter: lastEventId } : {}),
    });
    attempt = 0;
    const parser = new SseParser();
    res.body.setEncoding('utf8');
    for await (const chunk of res.body as AsyncIterable<string>) {
      for (const message of parser.feed(chunk)) {
        if (message.id !== undefined) lastEventId = message.id;
        let raw: unknown;
        try {
          raw = JSON.parse(message.data);
        } catch {
          continue; // not an event this client understands
        }
        if (raw && typeof raw === 'object' && typeof (raw as { type?: unknown }).type === 'string') handlers.onEvent(raw as PullEvent, raw);
      }
    }
    throw new Error('the server ended the stream');
  };

  let attempt = 0;
  const run = async (): Promise<void> => {
    handlers.onStatus({ state: 'connecting' });
    while (!closed) {
      try {
        await once();
      } catch (err) {
        if (closed) return;
        // The same server would send the same oversized line again.
        if (err instanceof SseLimitError) throw err;
        if (err instanceof HttpError && err.status >= 400 && err.status < 500 && err.status !== 429 && err.status !== 408) throw err;
        attempt++;
        const inMs = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt - 1, 4));
        handlers.onStatus({ state: 'reconnecting', reason: describe(err), inMs, attempt });
        await sleep(inMs, abort.signal);
      }
    }
  };

  return {
    done: run(),
    close() {
      closed = true;
      abort.abort();
    },
  };
}

function describe(err: unknown): string {
  if (err instanceof HttpError) return `HTTP ${err.status}${serverMessage(err.body) ? ` ${serverMessage(err.body)}` : ''}`;
  const e = err as NodeJS.ErrnoException;
  if (e?.code) return `${e.code}${e.message && !e.message.includes(e.code) ? ` ${e.message}` : ''}`.slice(0, 200);
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
